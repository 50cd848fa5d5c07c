package executor

// ring is the run queue: a growable ring buffer of tasks. Loop-only.
type ring struct {
	buf        []*task
	head, size int
}

func (r *ring) len() int { return r.size }

func (r *ring) push(t *task) {
	if r.size == len(r.buf) {
		n := max(2*len(r.buf), 64)
		buf := make([]*task, n)
		for i := range r.size {
			buf[i] = r.buf[(r.head+i)%len(r.buf)]
		}
		r.buf, r.head = buf, 0
	}
	r.buf[(r.head+r.size)%len(r.buf)] = t
	r.size++
}

func (r *ring) pop() *task {
	if r.size == 0 {
		return nil
	}
	t := r.buf[r.head]
	r.buf[r.head] = nil
	r.head = (r.head + 1) % len(r.buf)
	r.size--
	return t
}
