//go:build !linux || !(amd64 || arm64)

package publish

import "errors"

// exchange is unavailable here; callers fall back to two renames.
func exchange(a, b string) error { return errors.ErrUnsupported }
