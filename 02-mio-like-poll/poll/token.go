package poll

// Token is the caller's tag for a registered source. Poll hands it back in
// every Event for that source, so a loop can find its own state without
// knowing descriptor numbers. A Token is 64 bits wide: room for an index and a
// generation, which guards against a closed descriptor's number being reused
// by a new connection while an old event is still in flight.
type Token uint64
