// Findings of the outside probe (issue 12), each replayed over HTTP.
//
//	test                                   guards
//	TestSignInRedirectStaysOnThisSite      next= never leads off this origin, whatever browsers strip
//	TestSignInLimiterHoldsAndLocksNobodyOut the limiter cannot be reset, and guesses elsewhere do not lock the admin out

package handlers_test

import (
	"fmt"
	"net"
	"net/http"
	"net/url"
	"testing"
)

func TestSignInRedirectStaysOnThisSite(t *testing.T) {
	e := newEnv(t, nil)
	if _, err := e.store.CreateUser(t.Context(), "alice", testPassword, "admin"); err != nil {
		t.Fatal(err)
	}
	tests := []struct{ next, want string }{
		{"/jobs/w?tab=runs", "/jobs/w?tab=runs"},
		{"/history", "/history"},
		{"", "/"},
		{"//evil.example", "/"},
		{"///evil.example", "/"},
		{"/\t/evil.example", "/"},
		{"/\n/evil.example", "/"},
		{"/\r\n/evil.example", "/"},
		{"\t//evil.example", "/"},
		{"/\\evil.example", "/"},
		{"\\\\evil.example", "/"},
		{"\\/evil.example", "/"},
		{"/\\/evil.example", "/"},
		{"https://evil.example/", "/"},
		{"HTTPS://evil.example/", "/"},
		{"javascript:alert(1)", "/"},
		{"evil.example", "/"},
		{" //evil.example", "/"},
		{"/\x00/evil.example", "/"},
		{"/\x7f/evil.example", "/"},
		{"http:/evil.example", "/"},
		{"//user@evil.example", "/"},
	}
	for _, tt := range tests {
		t.Run(url.QueryEscape(tt.next), func(t *testing.T) {
			b := e.anonymous(t).noRedirects()
			status, _, hdr := b.post("/login", url.Values{"username": {"alice"}, "password": {testPassword}, "next": {tt.next}}, false)
			if status != http.StatusSeeOther || hdr.Get("Location") != tt.want {
				t.Fatalf("sign in with next=%q: %d Location %q, want %q", tt.next, status, hdr.Get("Location"), tt.want)
			}
			// Signed in already, the login page sends them on the same way.
			status, _, hdr = b.get("/login?next=" + url.QueryEscape(tt.next))
			if status != http.StatusSeeOther || hdr.Get("Location") != tt.want {
				t.Fatalf("GET /login?next=%q signed in: %d Location %q, want %q", tt.next, status, hdr.Get("Location"), tt.want)
			}
		})
	}
}

// from is an anonymous browser whose connections leave from address ip
// (any of 127.0.0.0/8 reaches the loopback server).
func (e *env) from(t *testing.T, ip string) *browser {
	b := e.anonymous(t).noRedirects()
	d := &net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(ip)}}
	b.client.Transport = &http.Transport{DialContext: d.DialContext}
	return b
}

func TestSignInLimiterHoldsAndLocksNobodyOut(t *testing.T) {
	e := newEnv(t, nil)
	if _, err := e.store.CreateUser(t.Context(), "admin", testPassword, "admin"); err != nil {
		t.Fatal(err)
	}
	login := func(b *browser, user, password string) int {
		t.Helper()
		status, _, _ := b.post("/login", url.Values{"username": {user}, "password": {password}, "next": {"/jobs"}}, false)
		return status
	}
	// An attacker's address guesses the admin's password until refused.
	attacker := e.from(t, "127.0.0.2")
	for i := range 5 {
		if got := login(attacker, "admin", "wrong"); got != http.StatusUnauthorized {
			t.Fatalf("guess %d: got %d, want 401", i+1, got)
		}
	}
	if got := login(attacker, "admin", "wrong"); got != http.StatusTooManyRequests {
		t.Fatalf("sixth guess: got %d, want 429", got)
	}
	// Many usernames from that address do not start it afresh.
	for i := range 10002 {
		login(attacker, fmt.Sprintf("user%d", i), "wrong")
	}
	if got := login(attacker, "admin", testPassword); got != http.StatusTooManyRequests {
		t.Fatalf("the failing address after 10,002 usernames: got %d, want 429", got)
	}
	// The real admin, from an address that has not been failing, signs in.
	if got := login(e.from(t, "127.0.0.1"), "admin", testPassword); got != http.StatusSeeOther {
		t.Fatalf("the admin from their own address: got %d, want 303", got)
	}
	// A right password costs nothing: an admin signing in often is never refused.
	office := e.from(t, "127.0.0.3")
	for i := range 3 * ipBurst {
		if got := login(office, "admin", testPassword); got != http.StatusSeeOther {
			t.Fatalf("sign-in %d from one address: got %d, want 303", i+1, got)
		}
	}
}

const ipBurst = 10
