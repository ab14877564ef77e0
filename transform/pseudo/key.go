// Package pseudo turns identity numbers into keyed pseudonyms, so that the
// pipeline's outputs can be linked person by person without holding a single
// identity number. A secret key read from a private key file drives an
// HMAC-SHA256; an identity map, kept only in the restricted area, gives one
// person one pseudonym across number changes and sources; and the date of
// birth is reduced to a birth year and an age at each event.
package pseudo

import (
	"bytes"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base32"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"strings"
	"sync"
)

// MinKeyBytes is the least key material a key file may hold: 256 bits.
const MinKeyBytes = 32

// maxKeyFileBytes bounds what LoadKey reads, so that a wrong path (a data file,
// a device) fails fast instead of becoming a key.
const maxKeyFileBytes = 4096

// KeyFileEnv is the environment variable naming the key file when no
// --key-file flag is given.
const KeyFileEnv = "INTEGSTAT_KEY_FILE"

// keyFileHeader is the first line of a key file written by GenerateKeyFile;
// the hex-encoded key follows on the second line.
const keyFileHeader = "integstat key v1"

// Namespaces for Pseudonym. A kind keeps pseudonyms of different things apart,
// so that the same digits as a person and as a household id never match.
const (
	KindPerson = "person"  // a person, via IdentityMap.PersonKeyNear
	KindFamily = "familie" // a settlement household's familie_id
)

// pseudonymEncoding writes pseudonyms in lower-case base32 without padding:
// 20 bytes (160 bits) of the HMAC become 32 characters.
var pseudonymEncoding = base32.NewEncoding("abcdefghijklmnopqrstuvwxyz234567").WithPadding(base32.NoPadding)

// pseudonymBytes is how much of the HMAC a pseudonym keeps.
const pseudonymBytes = 20

// Key is a secret pseudonymisation key. It cannot be printed: fmt, slog and
// encoding/json all show only its public ID, and the secret sits behind a
// pointer that fmt does not follow inside other values, so a key can be passed
// around and logged by mistake without leaking. The zero Key is not usable;
// get one from LoadKey, GenerateKeyFile or Derive.
type Key struct {
	s *keyState
}

// keyState is a Key's content. The secret is behind one more pointer because
// fmt shows the fields of a pointed-to struct for a bad verb on a struct
// holding a Key, but never follows a pointer below the top level.
type keyState struct {
	secret *[]byte
	id     string
	macs   sync.Pool // of hash.Hash keyed with secret, reused by Pseudonym
}

func newKey(secret []byte) *Key {
	b := bytes.Clone(secret)
	s := &keyState{secret: &b}
	sum := sha256.Sum256(append([]byte("integstat key id\x00"), b...))
	s.id = hex.EncodeToString(sum[:8])
	s.macs.New = func() any { return hmac.New(sha256.New, b) }
	return &Key{s: s}
}

// ID returns the key's public identifier: 16 hex digits of a SHA-256 of the
// key. It is recorded with every output so that a reader knows which key made
// its pseudonyms; it reveals nothing about the key itself.
func (k Key) ID() string {
	if k.s == nil {
		return ""
	}
	return k.s.id
}

// String shows the key's ID only.
func (k Key) String() string { return "pseudo.Key(id=" + k.ID() + ", secret redacted)" }

// GoString shows the key's ID only, also for %#v.
func (k Key) GoString() string { return k.String() }

// Format shows the key's ID only, whatever the verb, so that %x or %d cannot
// print the secret bytes.
func (k Key) Format(f fmt.State, verb rune) { io.WriteString(f, k.String()) }

// LogValue shows the key's ID only in log/slog output.
func (k Key) LogValue() slog.Value { return slog.GroupValue(slog.String("key_id", k.ID())) }

// MarshalJSON encodes the key as its ID only.
func (k Key) MarshalJSON() ([]byte, error) {
	return fmt.Appendf(nil, `{"key_id":%q}`, k.ID()), nil
}

// MarshalText encodes the key as its ID only, for encoders that use it.
func (k Key) MarshalText() ([]byte, error) { return []byte(k.String()), nil }

// Pseudonym returns the pseudonym of value in the namespace kind:
// HMAC-SHA256(key, kind || 0x00 || value), its first 160 bits in lower-case
// base32, always 32 characters. The same key, kind and value always give the
// same pseudonym; without the key it cannot be computed or reversed. kind must
// be non-empty and must not contain a NUL byte (it is a constant in the
// caller, so breaking this is a programming error and panics).
func (k Key) Pseudonym(kind, value string) string {
	if kind == "" || strings.IndexByte(kind, 0) >= 0 {
		panic("pseudo: Pseudonym kind must be non-empty and free of NUL bytes")
	}
	if k.s == nil {
		panic("pseudo: Pseudonym on a zero Key")
	}
	h := k.s.macs.Get().(hash.Hash)
	h.Reset()
	msg := make([]byte, 0, len(kind)+1+len(value))
	msg = append(append(append(msg, kind...), 0), value...)
	h.Write(msg)
	var sum [sha256.Size]byte
	h.Sum(sum[:0])
	k.s.macs.Put(h)
	var out [32]byte // pseudonymEncoding.EncodedLen(pseudonymBytes)
	pseudonymEncoding.Encode(out[:], sum[:pseudonymBytes])
	return string(out[:])
}

// Derive returns a key for one purpose, computed from k as
// HMAC-SHA256(k, "integstat derive v1|" + purpose). Pseudonyms under keys of
// different purposes cannot be linked to each other or to k's without k, so
// each research project gets its own, e.g. k.Derive("project/" + projectID).
func (k Key) Derive(purpose string) *Key {
	if k.s == nil {
		panic("pseudo: Derive on a zero Key")
	}
	h := hmac.New(sha256.New, *k.s.secret)
	io.WriteString(h, "integstat derive v1|"+purpose)
	return newKey(h.Sum(nil))
}

// KeyFile returns the key file to use: flagValue if set, otherwise the
// environment variable INTEGSTAT_KEY_FILE. There is no default key, so with
// neither set it returns an error saying how to give one.
func KeyFile(flagValue string) (string, error) {
	if flagValue != "" {
		return flagValue, nil
	}
	if p := os.Getenv(KeyFileEnv); p != "" {
		return p, nil
	}
	return "", errors.New("no key file: give --key-file FILE or set " + KeyFileEnv + " (make one with `integstat keygen FILE`; there is no default key)")
}

// LoadKey reads the key file at path. A file written by GenerateKeyFile (the
// line "integstat key v1" and then the key in hex) is decoded; any other file
// is used byte for byte as key material. LoadKey refuses a directory, a file
// that its group or others may read or write, and a key shorter than
// MinKeyBytes. Errors name the file and the problem, never the content.
func LoadKey(path string) (*Key, error) {
	f, err := openPrivate(path, "key file")
	if err != nil {
		return nil, err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, maxKeyFileBytes+1))
	if err != nil {
		return nil, fmt.Errorf("key file %s: %w", path, err)
	}
	if len(data) > maxKeyFileBytes {
		return nil, fmt.Errorf("key file %s: larger than %d bytes; is it a key file?", path, maxKeyFileBytes)
	}
	secret, err := parseKeyFile(data)
	if err != nil {
		return nil, fmt.Errorf("key file %s: %w", path, err)
	}
	return newKey(secret), nil
}

// parseKeyFile returns the key material in a key file's content.
func parseKeyFile(data []byte) ([]byte, error) {
	secret := data
	if rest, ok := bytes.CutPrefix(data, []byte(keyFileHeader+"\n")); ok {
		line := bytes.TrimSpace(rest)
		secret = make([]byte, hex.DecodedLen(len(line)))
		if _, err := hex.Decode(secret, line); err != nil {
			return nil, errors.New("the line after the header is not a hex key")
		}
	}
	if len(secret) < MinKeyBytes {
		return nil, fmt.Errorf("key is %d bytes, at least %d are needed", len(secret), MinKeyBytes)
	}
	if bytes.Count(secret, secret[:1]) == len(secret) {
		return nil, errors.New("key is one byte repeated, not random")
	}
	return secret, nil
}

// openPrivate opens path for reading and checks, on the open file, that it is
// a regular file that neither its group nor others may access. what names the
// file in errors ("key file", "identity map").
func openPrivate(path, what string) (*os.File, error) {
	f, err := os.Open(path)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, fmt.Errorf("%s %s does not exist", what, path)
		}
		return nil, fmt.Errorf("%s: %w", what, err)
	}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("%s %s: %w", what, path, err)
	}
	switch mode := st.Mode(); {
	case mode.IsDir():
		f.Close()
		return nil, fmt.Errorf("%s %s is a directory, not a file", what, path)
	case !mode.IsRegular():
		f.Close()
		return nil, fmt.Errorf("%s %s is not a regular file", what, path)
	case mode.Perm()&0o077 != 0:
		f.Close()
		return nil, fmt.Errorf("%s %s has mode %04o, so its group or others can access it; it must be private to its owner (chmod 600 %s)",
			what, path, mode.Perm(), path)
	}
	return f, nil
}

// GenerateKeyFile makes a new key of MinKeyBytes random bytes and writes it to
// a new file at path, mode 0600, as the line "integstat key v1" followed by
// the key in hex. It never overwrites: if path exists it fails and leaves the
// file alone. It returns the new key, so that the caller can report its ID.
func GenerateKeyFile(path string) (*Key, error) {
	secret := make([]byte, MinKeyBytes)
	if _, err := rand.Read(secret); err != nil {
		return nil, fmt.Errorf("generate key: %w", err)
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		if errors.Is(err, fs.ErrExist) {
			return nil, fmt.Errorf("key file %s already exists; keygen never overwrites a key", path)
		}
		return nil, fmt.Errorf("create key file: %w", err)
	}
	content := keyFileHeader + "\n" + hex.EncodeToString(secret) + "\n"
	_, err = io.WriteString(f, content)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(path)
		return nil, fmt.Errorf("write key file %s: %w", path, err)
	}
	return newKey(secret), nil
}
