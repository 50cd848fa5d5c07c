// Package loadgen is the echo client that every benchmark and integration
// test of stage 06 shares: it holds a pool of connections and runs closed-loop
// rounds on them (write a message, read the echo back, check every byte,
// record the round trip). Drive runs such rounds for a while and prints
// what they measured; LoadDemo and Selftest are the load and selftest demos
// that stages 06 and 08 share.
//
// It does not pick a socket API: the caller passes a Dialer. Tests and
// benchmarks pass net.Dial (the independent client the course allows); the
// selftest demo passes DialFile, a socket made with x/sys/unix and handed to
// os.NewFile. That keeps the net package out of everything but tests.
//
// # Simplifications
//
//   - NOTE: one goroutine per connection on the client side: the client is a
//     measuring instrument, not the thing measured. Its cost is the same for
//     the three servers a benchmark compares.
//   - NOTE: latencies are kept in full (one time.Duration per message); a
//     production load generator keeps a histogram (HdrHistogram) instead.
package loadgen
