package quotafile

import (
	"context"
	"fmt"
	"time"
)

// lockPollInterval is how often a process tries the OS lock again while
// another process holds it. A CompareAndSwap holds it for tens of
// microseconds.
const lockPollInterval = time.Millisecond

// acquire takes the turn and then the OS lock, unless ctx ends first, in
// which case it returns ctx's error. release gives both back.
func (f *quotaFile) acquire(ctx context.Context) (release func() error, err error) {
	select {
	case f.turn <- struct{}{}:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	locked, err := f.lock.TryLockContext(ctx, lockPollInterval)
	if !locked {
		<-f.turn
		if ctxErr := ctx.Err(); ctxErr != nil {
			return nil, ctxErr
		}
		return nil, fmt.Errorf("quotafile: locking %s: %w", f.lock.Path(), err)
	}
	return func() error {
		defer func() { <-f.turn }()
		if err := f.lock.Unlock(); err != nil {
			return fmt.Errorf("quotafile: unlocking %s: %w", f.lock.Path(), err)
		}
		return nil
	}, nil
}
