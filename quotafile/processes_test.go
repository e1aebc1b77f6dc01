// Stores in separate OS processes sharing one file: increments that each count once, and a process killed while it holds the lock.
package quotafile

import (
	"bufio"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// The test binary run again with helperEnv set is a helper process that
// does what helperEnv names ("increment" or "hold") on the file at
// helperPathEnv, and exits.
const (
	helperEnv     = "QUOTAFILE_TEST_HELPER"
	helperPathEnv = "QUOTAFILE_TEST_PATH"
	helperKeyEnv  = "QUOTAFILE_TEST_KEY"
	helperNEnv    = "QUOTAFILE_TEST_N"
)

func TestMain(m *testing.M) {
	if mode := os.Getenv(helperEnv); mode != "" {
		if err := runHelper(mode); err != nil {
			fmt.Fprintln(os.Stderr, "helper:", err)
			os.Exit(1)
		}
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// runHelper is the main of a helper process.
func runHelper(mode string) error {
	store, err := New(os.Getenv(helperPathEnv))
	if err != nil {
		return err
	}
	switch mode {
	case "increment":
		// Two goroutines each add N to the counter, once stdin says go, so
		// that every helper starts at once.
		n, err := strconv.Atoi(os.Getenv(helperNEnv))
		if err != nil {
			return err
		}
		if _, err := io.ReadFull(os.Stdin, make([]byte, 1)); err != nil {
			return fmt.Errorf("waiting for go: %w", err)
		}
		var wg sync.WaitGroup
		errs := make(chan error, 2)
		for range 2 {
			wg.Go(func() { errs <- increment(store, os.Getenv(helperKeyEnv), n) })
		}
		wg.Wait()
		close(errs)
		return errors.Join(<-errs, <-errs)
	case "hold":
		// Take the lock, write a table shorter than the file over it but
		// leave the file uncut, as a writer killed between the two would,
		// say so, and wait to be killed.
		if _, err := store.file.acquire(context.Background()); err != nil {
			return err
		}
		file, err := store.file.open()
		if err != nil {
			return err
		}
		table := encodeTable(nil, []entry{{key: []byte("k"), value: []byte("from the killed process"), expires: time.Now().Add(time.Hour).UnixNano()}})
		if _, err := file.WriteAt(table, 0); err != nil {
			return err
		}
		fmt.Println("locked")
		select {}
	}
	return fmt.Errorf("unknown mode %q", mode)
}

// increment adds n to the 8-byte counter at key, one CompareAndSwap at a
// time.
func increment(store *Store, key string, n int) error {
	var old []byte
	for done := 0; done < n; {
		count := uint64(0)
		if old != nil {
			count = binary.BigEndian.Uint64(old)
		}
		next := binary.BigEndian.AppendUint64(nil, count+1)
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		current, swapped, err := store.CompareAndSwap(ctx, key, old, next, time.Hour)
		cancel()
		switch {
		case err != nil:
			return err
		case swapped:
			old = next
			done++
		default:
			old = current
		}
	}
	return nil
}

// helper returns the command of a helper process in mode on path.
func helper(t *testing.T, mode, path string, env ...string) *exec.Cmd {
	t.Helper()
	cmd := exec.Command(os.Args[0])
	cmd.Env = append(os.Environ(), append([]string{helperEnv + "=" + mode, helperPathEnv + "=" + path}, env...)...)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	t.Cleanup(func() {
		if cmd.Process != nil && cmd.ProcessState == nil {
			_ = cmd.Process.Kill()
			_ = cmd.Wait()
		}
		if t.Failed() && stderr.Len() > 0 {
			t.Logf("helper %s: %s", mode, stderr.String())
		}
	})
	return cmd
}

// counter reads the 8-byte counter at key.
func counter(t *testing.T, store *Store, key string) uint64 {
	t.Helper()
	current, _, err := store.CompareAndSwap(context.Background(), key, []byte("not the counter"), []byte("x"), time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	if len(current) != 8 {
		t.Fatalf("the counter holds %q", current)
	}
	return binary.BigEndian.Uint64(current)
}

// TestProcessesCountEachIncrementOnce: helper processes, started at once,
// add to one counter through one file; every increment counts once.
func TestProcessesCountEachIncrementOnce(t *testing.T) {
	path := filepath.Join(t.TempDir(), "quotas")
	const processes, each = 4, 2 * 100 // two goroutines of 100 each
	var stdins []io.WriteCloser
	var cmds []*exec.Cmd
	for range processes {
		cmd := helper(t, "increment", path, helperKeyEnv+"=counter", helperNEnv+"=100")
		stdin, err := cmd.StdinPipe()
		if err != nil {
			t.Fatal(err)
		}
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		cmds, stdins = append(cmds, cmd), append(stdins, stdin)
	}
	for _, stdin := range stdins {
		if _, err := stdin.Write([]byte("g")); err != nil {
			t.Fatal(err)
		}
	}
	for i, cmd := range cmds {
		if err := cmd.Wait(); err != nil {
			t.Fatalf("helper %d: %v", i, err)
		}
	}
	store, err := New(path)
	if err != nil {
		t.Fatal(err)
	}
	if got := counter(t, store, "counter"); got != processes*each {
		t.Fatalf("%d increments counted %d times", processes*each, got)
	}
}

// TestKilledLockHolderBlocksNoOne: a process killed (SIGKILL on Unix)
// while it holds the lock, half-way through writing a table, stops no one:
// the lock is free again, and the table is the one it wrote.
func TestKilledLockHolderBlocksNoOne(t *testing.T) {
	path := filepath.Join(t.TempDir(), "quotas")
	store, err := New(path)
	if err != nil {
		t.Fatal(err)
	}
	for _, key := range []string{"k", "a key the killed process drops"} {
		if _, ok, err := store.CompareAndSwap(context.Background(), key, nil, []byte("before"), time.Hour); err != nil || !ok {
			t.Fatalf("first write: swapped %v, %v", ok, err)
		}
	}

	cmd := helper(t, "hold", path)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	if line, err := bufio.NewReader(out).ReadString('\n'); line != "locked\n" {
		t.Fatalf("the helper did not take the lock: %q, %v", line, err)
	}

	// While it holds the lock, a call ends with its context.
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	if _, _, err := store.CompareAndSwap(ctx, "k", nil, []byte("during"), time.Hour); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("with the lock held elsewhere: %v; want context.DeadlineExceeded", err)
	}

	if err := cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	_ = cmd.Wait()
	ctx, cancel = context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	current, ok, err := store.CompareAndSwap(ctx, "k", []byte("from the killed process"), []byte("after"), time.Hour)
	if err != nil || !ok {
		t.Fatalf("after the holder was killed: got %q, swapped %v, %v; want the table it wrote", current, ok, err)
	}
	if current, ok, err := store.CompareAndSwap(ctx, "a key the killed process drops", nil, []byte("x"), time.Hour); err != nil || !ok {
		t.Fatalf("a key the killed process's table does not hold: got %q, swapped %v, %v", current, ok, err)
	}
}
