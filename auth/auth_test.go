package auth

import (
	"bytes"
	"errors"
	"strings"
	"testing"
)

func TestPasswordHash(t *testing.T) {
	h, err := HashPassword("korrekt häst batteri")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(h, "$argon2id$v=19$m=19456,t=2,p=1$") {
		t.Errorf("hash %q lacks OWASP's minimum argon2id parameters", h)
	}
	if err := VerifyPassword(h, "korrekt häst batteri"); err != nil {
		t.Errorf("right password: %v", err)
	}
	if err := VerifyPassword(h, "korrekt hast batteri"); !errors.Is(err, ErrMismatch) {
		t.Errorf("wrong password: got %v, want ErrMismatch", err)
	}
	h2, _ := HashPassword("korrekt häst batteri")
	if h2 == h {
		t.Error("two hashes of one password are equal: salt not random")
	}
	for _, bad := range []string{"", "$argon2i$v=19$m=1,t=1,p=1$AAAA$AAAA", "$argon2id$v=19$m=0,t=1,p=1$AAAA$AAAA", "$argon2id$v=19$m=8,t=1,p=1$!!$AAAA"} {
		if err := VerifyPassword(bad, "x"); err == nil || errors.Is(err, ErrMismatch) {
			t.Errorf("VerifyPassword(%q) = %v, want a format error", bad, err)
		}
	}
}

func TestTokens(t *testing.T) {
	a, b := NewToken(SessionPrefix), NewToken(SessionPrefix)
	if a == b || !strings.HasPrefix(a, "trs_") || len(a) != 4+43 {
		t.Errorf("tokens %q %q: want distinct, prefixed, 43 base64 characters", a, b)
	}
	if !bytes.Equal(HashToken(a), HashToken(a)) || bytes.Equal(HashToken(a), HashToken(b)) || len(HashToken(a)) != 32 {
		t.Error("HashToken is not a stable SHA-256")
	}
	if p := NewPassword(); len(p) != 20 || p == NewPassword() {
		t.Errorf("NewPassword() = %q", p)
	}
}
