// Package testkit holds what the tests of every package share and no
// package of the program needs: where the repository's files are, and the
// crash harness. The warehouse fixture, which builds marts, is in fixture.
package testkit

import (
	"fmt"
	"os"
	"path/filepath"
	"sync"
)

var root = sync.OnceValues(func() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		up := filepath.Dir(dir)
		if up == dir {
			return "", os.ErrNotExist
		}
		dir = up
	}
})

// Root is the module's root folder, found from the test's working directory
// (its package folder), so a test names repository files the same way
// wherever its package lies in the tree. It panics outside the module, where
// no test can run.
func Root() string {
	dir, err := root()
	if err != nil {
		panic(fmt.Sprintf("testkit: no go.mod above the working directory: %v", err))
	}
	return dir
}

// SmallCases is testdata/smallcases: the hand-computed registers (inbox/)
// and the figures expected from them (expected.csv).
func SmallCases(elem ...string) string {
	return filepath.Join(append([]string{Root(), "testdata", "smallcases"}, elem...)...)
}

// SmallInbox is the small cases' inbox.
func SmallInbox() string {
	return SmallCases("inbox")
}

// Shared is a file of the shared folder beside the repository (the specs and
// the reference data the project is given).
func Shared(elem ...string) string {
	return filepath.Join(append([]string{filepath.Dir(Root()), "shared"}, elem...)...)
}
