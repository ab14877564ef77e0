//go:build linux && (amd64 || arm64)

package publish

import (
	"errors"
	"runtime"
	"syscall"
	"unsafe"
)

// renameExchange is RENAME_EXCHANGE of renameat2(2).
const renameExchange = 2

// exchange swaps the names a and b atomically (renameat2 with
// RENAME_EXCHANGE), which, unlike rename(2), can put a link where a
// directory was. It returns an error matching errors.ErrUnsupported where the
// kernel or file system cannot do it.
func exchange(a, b string) error {
	pa, err := syscall.BytePtrFromString(a)
	if err != nil {
		return err
	}
	pb, err := syscall.BytePtrFromString(b)
	if err != nil {
		return err
	}
	nr := uintptr(316) // renameat2 on amd64; the syscall package names it only on some architectures
	if runtime.GOARCH == "arm64" {
		nr = 276
	}
	cwd := -100 // AT_FDCWD: a and b are relative to the working directory
	fdcwd := uintptr(cwd)
	_, _, errno := syscall.Syscall6(nr, fdcwd, uintptr(unsafe.Pointer(pa)), fdcwd, uintptr(unsafe.Pointer(pb)), renameExchange, 0)
	switch errno {
	case 0:
		return nil
	case syscall.EINVAL, syscall.ENOSYS, syscall.EOPNOTSUPP:
		return errors.ErrUnsupported
	}
	return errno
}
