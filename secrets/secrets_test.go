package secrets

import (
	"bytes"
	"encoding/base64"
	"os"
	"path/filepath"
	"testing"
)

func TestSealOpen(t *testing.T) {
	key := bytes.Repeat([]byte{7}, KeySize)
	b, err := New(key)
	if err != nil {
		t.Fatal(err)
	}
	sealed, err := b.Seal([]byte("sk-secret"), []byte("openai"))
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(sealed, []byte("sk-secret")) {
		t.Fatal("ciphertext contains the plain text")
	}
	if got, err := b.Open(sealed, []byte("openai")); err != nil || string(got) != "sk-secret" {
		t.Fatalf("open: got %q %v", got, err)
	}
	if _, err := b.Open(sealed, []byte("anthropic")); err == nil {
		t.Fatal("opened with another row's additional data")
	}
	other, _ := New(bytes.Repeat([]byte{8}, KeySize))
	if _, err := other.Open(sealed, []byte("openai")); err == nil {
		t.Fatal("opened with another key")
	}
}

func TestLoadKey(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "switchboard.key")
	k1, err := LoadKey("", file)
	if err != nil {
		t.Fatal(err)
	}
	info, err := os.Stat(file)
	if err != nil || info.Mode().Perm() != 0o600 {
		t.Fatalf("key file mode: got %v %v, want 0600", info.Mode().Perm(), err)
	}
	k2, err := LoadKey("", file)
	if err != nil || !bytes.Equal(k1, k2) {
		t.Fatal("second load returned another key")
	}
	env := base64.StdEncoding.EncodeToString(bytes.Repeat([]byte{1}, KeySize))
	if k, err := LoadKey(env, file); err != nil || k[0] != 1 {
		t.Fatalf("environment key: %v", err)
	}
	for _, bad := range []string{"not base64!", base64.StdEncoding.EncodeToString([]byte("short"))} {
		if _, err := LoadKey(bad, file); err == nil {
			t.Fatalf("accepted bad key %q", bad)
		}
	}
}
