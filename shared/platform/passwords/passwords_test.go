package passwords_test

import (
	"strings"
	"testing"

	"golang.org/x/crypto/bcrypt"

	"github.com/ezscale/platform/shared/platform/passwords"
)

var fast = passwords.Params{Memory: 1024, Time: 1, Threads: 1, KeyLen: 32, SaltLen: 16}

func TestHashAndVerify(t *testing.T) {
	h, err := passwords.Hash("correct horse battery staple", fast)
	if err != nil || !strings.HasPrefix(h, "$argon2id$v=19$m=1024,t=1,p=1$") {
		t.Fatalf("hash = %q, %v", h, err)
	}
	if rehash, err := passwords.Verify(h, "correct horse battery staple", fast); err != nil || rehash {
		t.Fatalf("verify = %v, %v", rehash, err)
	}
	if _, err := passwords.Verify(h, "wrong horse battery staple", fast); err != passwords.ErrMismatch {
		t.Fatalf("wrong password: %v", err)
	}
	// Raising the parameters later asks for a rehash at the next login.
	if rehash, err := passwords.Verify(h, "correct horse battery staple", passwords.Default); err != nil || !rehash {
		t.Fatalf("weaker params: rehash = %v, %v", rehash, err)
	}
}

func TestImportedBcrypt(t *testing.T) {
	b, _ := bcrypt.GenerateFromPassword([]byte("whmcs-password-1"), bcrypt.MinCost)
	php := "$2y$" + string(b[4:]) // how WHMCS (PHP password_hash) stores it
	if rehash, err := passwords.Verify(php, "whmcs-password-1", fast); err != nil || !rehash {
		t.Fatalf("bcrypt verify = %v, %v; want match and rehash", rehash, err)
	}
	if _, err := passwords.Verify(php, "nope", fast); err != passwords.ErrMismatch {
		t.Fatalf("bcrypt wrong = %v", err)
	}
}

func TestCheck(t *testing.T) {
	tests := []struct {
		pw, why string
	}{
		{"short-one", "at least 12"},
		{"123456789012", "only digits"},
		{"sunshine2024!!", "common password with digits"},
		{"qwertyuiopasdfgh", ""},
		{"password1234!", "common password with digits"},
		{"!!Football2024", "common password with digits"},
		{"aaaaaaaaaaaaaaa", "repeat"},
		{"ada.lovelace-rocks", "name or e-mail"},
		{"correct horse battery staple", ""},
		{strings.Repeat("x", 2000), "at most"},
	}
	for _, tt := range tests {
		got := passwords.Check(tt.pw, "ada.lovelace@example.com", "Ada Lovelace")
		if (tt.why == "") != (got == "") || (tt.why != "" && !strings.Contains(got, tt.why)) {
			t.Errorf("Check(%q) = %q, want %q", tt.pw, got, tt.why)
		}
	}
}

func FuzzVerify(f *testing.F) {
	h, _ := passwords.Hash("x", fast)
	f.Add(h, "x")
	f.Add("$2y$10$abc", "x")
	f.Add("$argon2id$v=19$m=99999999,t=1,p=1$AAAA$AAAA", "x")
	f.Fuzz(func(t *testing.T, hash, pw string) {
		_, _ = passwords.Verify(hash, pw, fast) // must not panic or hang on hostile stored hashes
	})
}
