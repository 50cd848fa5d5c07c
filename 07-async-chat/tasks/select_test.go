package tasks

import (
	"slices"
	"testing"
	"time"

	"github.com/async-from-scratch/course/04-futures/future"
	"github.com/async-from-scratch/course/05-executor/executor"
)

func TestSelectReturnsTheFirstAndDropsTheLosers(t *testing.T) {
	ex := newEx(t)
	var j journal
	sel := Select(
		sleeper(ex, &j, "0", time.Hour, nil),
		sleeper(ex, &j, "1", time.Millisecond, nil),
		sleeper(ex, &j, "2", time.Hour, nil),
		sleeper(ex, &j, "3", time.Hour, nil),
	)
	got := blockOn(t, ex, sel)
	if got.Index != 1 {
		t.Errorf("Select = index %d, want 1 (the first to finish)", got.Index)
	}
	slices.Sort(j)
	if want := []string{"0 dropped", "1 woke", "2 dropped", "3 dropped"}; !slices.Equal(j, want) {
		t.Errorf("journal %v, want %v (the losers dropped at once)", j, want)
	}
}

func TestSelectTieGoesToTheLowestIndex(t *testing.T) {
	ex := newEx(t)
	got := blockOn(t, ex, Select(future.Ready("a"), future.Ready("b")))
	if got.Index != 0 || got.Value != "a" {
		t.Errorf("Select of two ready futures = %+v, want index 0", got)
	}
}

func TestDroppingASelectDropsAll(t *testing.T) {
	ex := newEx(t)
	var j journal
	sel := Select(sleeper(ex, &j, "a", time.Hour, nil), sleeper(ex, &j, "b", time.Hour, nil))
	r := blockOn(t, ex, executor.Timeout(ex, time.Millisecond, sel))
	if r.Err == nil {
		t.Fatal("Timeout around two hour-long sleeps did not time out")
	}
	slices.Sort(j)
	if want := []string{"a dropped", "b dropped"}; !slices.Equal(j, want) {
		t.Errorf("journal %v, want %v", j, want)
	}
}

func TestSelectOfNothingPanics(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Error("Select() did not panic")
		}
	}()
	Select[int]()
}
