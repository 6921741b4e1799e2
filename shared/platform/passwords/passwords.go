// Package passwords hashes and checks customer and staff passwords.
//
// New hashes are argon2id in the PHC string format, which stores the
// parameters beside the hash ($argon2id$v=19$m=65536,t=3,p=2$salt$hash), so
// they can be raised later: Verify reports when a hash was made with
// weaker parameters (or is an imported WHMCS bcrypt hash) and should be
// replaced at the next successful login.
package passwords

import (
	"bufio"
	"crypto/rand"
	"crypto/subtle"
	_ "embed"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"golang.org/x/crypto/argon2"
	"golang.org/x/crypto/bcrypt"
)

// Params are argon2id cost parameters.
type Params struct {
	Memory  uint32 // KiB
	Time    uint32
	Threads uint8
	KeyLen  uint32
	SaltLen uint32
}

// Default follows RFC 9106's second recommended option (64 MiB, t=3), with
// 2 lanes to match a Lambda's cores.
var Default = Params{Memory: 64 * 1024, Time: 3, Threads: 2, KeyLen: 32, SaltLen: 16}

// ErrMismatch is returned by Verify for a wrong password.
var ErrMismatch = errors.New("passwords: mismatch")

// Hash returns the PHC string for password with p.
func Hash(password string, p Params) (string, error) {
	salt := make([]byte, p.SaltLen)
	if _, err := rand.Read(salt); err != nil {
		return "", err
	}
	key := argon2.IDKey([]byte(password), salt, p.Time, p.Memory, p.Threads, p.KeyLen)
	b64 := base64.RawStdEncoding
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, p.Memory, p.Time, p.Threads, b64.EncodeToString(salt), b64.EncodeToString(key)), nil
}

// Verify checks password against an argon2id or bcrypt hash. rehash is
// true when the password matched but the hash should be replaced with one
// made by Hash(password, want).
func Verify(hash, password string, want Params) (rehash bool, err error) {
	switch {
	case strings.HasPrefix(hash, "$argon2id$"):
		p, salt, key, err := parse(hash)
		if err != nil {
			return false, err
		}
		got := argon2.IDKey([]byte(password), salt, p.Time, p.Memory, p.Threads, uint32(len(key)))
		if subtle.ConstantTimeCompare(got, key) != 1 {
			return false, ErrMismatch
		}
		return p.Memory < want.Memory || p.Time < want.Time || p.Threads != want.Threads || uint32(len(key)) < want.KeyLen, nil
	case strings.HasPrefix(hash, "$2a$"), strings.HasPrefix(hash, "$2b$"), strings.HasPrefix(hash, "$2y$"):
		// WHMCS stores PHP's $2y$, which is the same algorithm as $2a$/$2b$.
		h := []byte("$2a$" + hash[4:])
		if err := bcrypt.CompareHashAndPassword(h, []byte(password)); err != nil {
			if errors.Is(err, bcrypt.ErrMismatchedHashAndPassword) {
				return false, ErrMismatch
			}
			return false, fmt.Errorf("passwords: bcrypt: %w", err)
		}
		return true, nil
	}
	return false, errors.New("passwords: unknown hash format")
}

func parse(hash string) (Params, []byte, []byte, error) {
	parts := strings.Split(hash, "$")
	if len(parts) != 6 || parts[2] != fmt.Sprintf("v=%d", argon2.Version) {
		return Params{}, nil, nil, errors.New("passwords: malformed argon2id hash")
	}
	var p Params
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &p.Memory, &p.Time, &p.Threads); err != nil {
		return Params{}, nil, nil, fmt.Errorf("passwords: malformed argon2id parameters: %w", err)
	}
	if p.Memory == 0 || p.Memory > 4<<20 || p.Time == 0 || p.Time > 100 || p.Threads == 0 {
		return Params{}, nil, nil, errors.New("passwords: argon2id parameters out of range")
	}
	b64 := base64.RawStdEncoding
	salt, err := b64.DecodeString(parts[4])
	if err != nil {
		return Params{}, nil, nil, errors.New("passwords: malformed salt")
	}
	key, err := b64.DecodeString(parts[5])
	if err != nil || len(key) < 16 {
		return Params{}, nil, nil, errors.New("passwords: malformed key")
	}
	return p, salt, key, nil
}

// Rules for acceptable passwords.
const (
	MinLength = 12
	MaxBytes  = 1024 // bounds hashing work per request
)

//go:embed common-passwords.txt
var commonList string

var (
	commonOnce sync.Once
	common     map[string]struct{}
)

func isCommon(s string) bool {
	commonOnce.Do(func() {
		common = make(map[string]struct{}, 28000)
		sc := bufio.NewScanner(strings.NewReader(commonList))
		for sc.Scan() {
			common[sc.Text()] = struct{}{}
		}
	})
	_, ok := common[s]
	return ok
}

// Check returns a sentence saying why password is not acceptable, or ""
// when it is. personal are the user's own details (e-mail, name) that must
// not be the password.
func Check(password string, personal ...string) string {
	if len(password) > MaxBytes {
		return fmt.Sprintf("must be at most %d bytes", MaxBytes)
	}
	if !utf8.ValidString(password) {
		return "must be valid UTF-8 text"
	}
	if utf8.RuneCountInString(password) < MinLength {
		return fmt.Sprintf("must be at least %d characters", MinLength)
	}
	lower := strings.ToLower(password)
	if isCommon(lower) {
		return "is one of the most common passwords; choose another"
	}
	// A common word with digits or symbols stuck on ("password1234!") is as weak.
	base := strings.TrimRightFunc(lower, func(r rune) bool { return unicode.IsDigit(r) || unicode.IsPunct(r) || unicode.IsSymbol(r) })
	base = strings.TrimLeftFunc(base, func(r rune) bool { return unicode.IsDigit(r) || unicode.IsPunct(r) || unicode.IsSymbol(r) })
	if strings.Trim(lower, "0123456789") == "" {
		return "must not be only digits"
	}
	if len(base) >= 3 && isCommon(base) {
		return "is a common password with digits or symbols added; choose another"
	}
	if strings.Count(lower, lower[:1]) == len(lower) {
		return "must not repeat one character"
	}
	for _, p := range personal {
		p = strings.ToLower(strings.TrimSpace(p))
		if local, _, ok := strings.Cut(p, "@"); ok {
			p = local
		}
		if len(p) >= 4 && strings.Contains(lower, p) {
			return "must not contain your name or e-mail address"
		}
	}
	return ""
}
