package uring

import (
	"errors"
	"fmt"
	"os"
	"sync/atomic"
	"unsafe"

	"golang.org/x/sys/unix"
)

const (
	registerPbufRing   = 22 // IORING_REGISTER_PBUF_RING
	unregisterPbufRing = 23 // IORING_UNREGISTER_PBUF_RING
)

// bufReg is struct io_uring_buf_reg.
type bufReg struct {
	RingAddr    uint64
	RingEntries uint32
	Bgid        uint16
	Flags       uint16
	resv        [3]uint64
}

// bufEntry is struct io_uring_buf: one buffer offered to the kernel. The tail
// of the ring lives in the last two bytes of entry 0 (its resv field).
type bufEntry struct {
	Addr uint64
	Len  uint32
	Bid  uint16
	resv uint16
}

// BufRing is a provided-buffer ring (kernel 5.19 and later): a third ring,
// written only by us, from which the kernel takes a buffer at the moment data
// arrives for a recv submitted with PrepRecvSelect. A connection waiting for
// data therefore owns no buffer; a buffer is owned by exactly one of
//
//	the ring   (offered: the kernel may take it at any moment)
//	a CQE      (taken: its ID is in the CQE's flags, the data in it)
//	its user   (until Provide offers it again)
type BufRing struct {
	r       *Ring
	group   uint16
	size    int
	entries []bufEntry // the ring, in memory mapped for it
	ringMem []byte
	bufMem  []byte // count buffers of size bytes, back to back
	mask    uint16
	tail    uint16 // our copy of the tail; published by Provide
}

// NewBufRing registers a ring of count buffers (a power of two, at most
// 32768) of size bytes each as buffer group group, and offers every buffer.
func NewBufRing(r *Ring, group uint16, count, size int) (*BufRing, error) {
	if count <= 0 || count > 1<<15 || count&(count-1) != 0 {
		return nil, fmt.Errorf("uring: %d buffers: need a power of two up to 32768", count)
	}
	b := &BufRing{r: r, group: group, size: size, mask: uint16(count - 1)}
	var err error
	// The ring must be page aligned: anonymous memory from mmap is. The
	// buffers too come from mmap, outside Go's heap, so the garbage
	// collector never sees memory the kernel writes behind its back.
	if b.ringMem, err = anonMmap(count*int(unsafe.Sizeof(bufEntry{})), 0); err != nil {
		return nil, err
	}
	// The buffers are touched now (MAP_POPULATE): they are the fixed cost
	// of the ring, the same for ten connections or ten thousand.
	if b.bufMem, err = anonMmap(count*size, unix.MAP_POPULATE); err != nil {
		b.unmap()
		return nil, err
	}
	b.entries = unsafe.Slice((*bufEntry)(unsafe.Pointer(&b.ringMem[0])), count)
	reg := bufReg{RingAddr: uint64(uintptr(unsafe.Pointer(&b.ringMem[0]))), RingEntries: uint32(count), Bgid: group}
	if err := r.register(registerPbufRing, unsafe.Pointer(&reg), 1); err != nil {
		b.unmap()
		return nil, err
	}
	for id := range count {
		b.Provide(uint16(id))
	}
	return b, nil
}

func anonMmap(size int, flags int) ([]byte, error) {
	m, err := unix.Mmap(-1, 0, size, unix.PROT_READ|unix.PROT_WRITE, unix.MAP_PRIVATE|unix.MAP_ANONYMOUS|flags)
	if err != nil {
		return nil, os.NewSyscallError("mmap", err)
	}
	return m, nil
}

// Group returns the buffer group ID to pass to PrepRecvSelect.
func (b *BufRing) Group() uint16 { return b.group }

// Size returns the size of each buffer.
func (b *BufRing) Size() int { return b.size }

// Count returns how many buffers the ring has.
func (b *BufRing) Count() int { return len(b.entries) }

// Buf returns buffer id, all of it; a CQE's Res says how much is data.
func (b *BufRing) Buf(id uint16) []byte {
	off := int(id) * b.size
	return b.bufMem[off : off+b.size : off+b.size]
}

// Provide offers buffer id to the kernel again. Call it only once the buffer
// is really free: after the CQE that delivered it, and after any send that
// reads from it has completed. From here on the kernel may write into it at
// any moment.
//
// The entry is written first, then the tail moves, with a store-release so the
// kernel never sees the new tail before the entry. Go's sync/atomic has no
// 16-bit store, so the tail (bytes 14-15 of entry 0) is published with a
// 32-bit store that also rewrites entry 0's buffer ID (bytes 12-13) with the
// value it already has: only we ever write entries.
func (b *BufRing) Provide(id uint16) {
	e := &b.entries[b.tail&b.mask]
	e.Addr = uint64(uintptr(unsafe.Pointer(&b.bufMem[int(id)*b.size])))
	e.Len = uint32(b.size)
	e.Bid = id
	b.tail++
	pair := [2]uint16{b.entries[0].Bid, b.tail} // bytes 12-15 of entry 0, in memory order
	atomic.StoreUint32((*uint32)(unsafe.Pointer(&b.entries[0].Bid)), *(*uint32)(unsafe.Pointer(&pair)))
}

// Close unregisters the group and unmaps the ring and the buffers.
func (b *BufRing) Close() error {
	reg := bufReg{Bgid: b.group}
	err := b.r.register(unregisterPbufRing, unsafe.Pointer(&reg), 1)
	return errors.Join(err, b.unmap())
}

func (b *BufRing) unmap() error {
	var errs []error
	for _, m := range [][]byte{b.ringMem, b.bufMem} {
		if m != nil {
			if err := unix.Munmap(m); err != nil {
				errs = append(errs, os.NewSyscallError("munmap", err))
			}
		}
	}
	b.ringMem, b.bufMem, b.entries = nil, nil, nil
	return errors.Join(errs...)
}
