//go:build !linux

package executor

func runChild(string) int { return 2 } // the fd-limit scenario is Linux-only
