package testkit_test

import (
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"integstat/internal/testkit"
)

func TestMain(m *testing.M) {
	testkit.Child("echo", func(args ...string) error {
		for _, a := range args {
			fmt.Println(a)
		}
		return nil
	})
	testkit.Child("fail", func(args ...string) error { return errors.New("failed: " + strings.Join(args, " ")) })
	testkit.Child("hang", func(...string) error {
		fmt.Println("hanging")
		time.Sleep(time.Hour)
		return nil
	})
	testkit.Child("stdin", func(...string) error {
		if _, err := os.Stdin.Read(make([]byte, 1)); err != io.EOF { // when the parent closes it
			return fmt.Errorf("stdin: %v, want EOF", err)
		}
		fmt.Println("stdin closed")
		return nil
	})
	os.Exit(m.Run())
}

// TestChild runs real child processes: their arguments arrive, their
// stdout comes line by line, an error exits 1 with the error on stderr,
// SIGKILL ends a process that would never end, and the exit says which.
func TestChild(t *testing.T) {
	echo := testkit.Start(t, "echo", "a b", "", "c")
	if ex := echo.Wait(); ex.Err != nil || ex.Killed {
		t.Fatalf("echo: %+v, stderr %q", ex, echo.Stderr())
	}
	if got := slices.Collect(echo.Lines()); !slices.Equal(got, []string{"a b", "", "c"}) {
		t.Errorf("echo wrote %q", got)
	}

	fail := testkit.Start(t, "fail", "x")
	if ex := fail.Wait(); ex.Err == nil || ex.Killed || !strings.Contains(fail.Stderr(), "failed: x") {
		t.Errorf("fail: %+v, stderr %q", ex, fail.Stderr())
	}

	hang := testkit.Start(t, "hang")
	for l := range hang.Lines() {
		if l == "hanging" {
			break
		}
	}
	if ex := hang.KillAfter(50 * time.Millisecond); !ex.Killed || ex.Err == nil || ex.Ran < 50*time.Millisecond {
		t.Errorf("hang after KillAfter: %+v", ex)
	}
	if ex := hang.Kill(); !ex.Killed {
		t.Errorf("a second Kill changed the exit: %+v", ex)
	}

	// A child that ends before the kill is not reported killed.
	early := testkit.Start(t, "echo")
	if ex := early.KillAfter(time.Minute); ex.Killed || ex.Err != nil {
		t.Errorf("echo under KillAfter: %+v", ex)
	}

	in := testkit.Start(t, "stdin")
	in.CloseStdin()
	if ex := in.Wait(); ex.Killed || ex.Err != nil || !slices.Contains(slices.Collect(in.Lines()), "stdin closed") {
		t.Errorf("stdin: %+v, stderr %q", ex, in.Stderr())
	}
}
