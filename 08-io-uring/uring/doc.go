// Package uring is Linux's io_uring written from scratch on
// golang.org/x/sys/unix: io_uring_setup, the three shared mappings (the
// submission ring, the completion ring, the array of submission queue
// entries), io_uring_enter, and the head/tail protocol between this process
// and the kernel.
//
// The whole interface is two ring buffers in memory that both sides see:
//
//	submission ring (SQ): we write SQEs and move the tail; the kernel moves the head
//	completion ring (CQ): the kernel writes CQEs and moves the tail; we move the head
//
// Each side writes only its own index and only reads the other's, so no lock
// is needed, only ordering: an entry must be fully written before the index
// that publishes it (a store-release), and an index must be read before the
// entries it covers (a load-acquire). sync/atomic gives both (its operations
// are sequentially consistent, which is more than enough).
//
// # Contract
//
// One goroutine owns a Ring: NextSQE, Enter and the CQ methods are not safe
// for concurrent use (the kernel is the only other party). Close unmaps all
// three regions and closes the ring's descriptor.
//
// # Simplifications
//
//   - NOTE: no SQPOLL (a kernel thread that polls the SQ, so submitting needs
//     no system call at all), no registered files, no fixed buffers, no 32-byte
//     CQEs. liburing (github.com/axboe/liburing, src/queue.c, src/setup.c)
//     has them all.
//   - The SQ index array (sq_off.array) is kept and filled with the identity
//     mapping; kernels since 6.6 can drop it (IORING_SETUP_NO_SQARRAY).
//
// On systems other than Linux the package is empty.
package uring
