package egress

import (
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
	"testing"
	"time"
)

func mustPolicy(t testing.TB, allow, deny []string) *Policy {
	t.Helper()
	p, err := New(allow, deny)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func TestCheck(t *testing.T) {
	p := mustPolicy(t, []string{"169.254.10.0/24", "10.1.2.3"}, []string{"10.0.0.0/8", "192.0.2.0/24", "2001:db8::/32"})
	p.AddSelf(&net.TCPAddr{IP: net.ParseIP("127.0.0.1"), Port: 8080})
	p.AddSelf(&net.TCPAddr{IP: net.IPv6unspecified, Port: 9090})
	tests := []struct {
		addr string
		ok   bool
	}{
		{"93.184.216.34:443", true},
		{"127.0.0.1:9999", true}, // loopback is allowed: only our own ports are not
		{"127.0.0.1:8080", false},
		{"[::ffff:127.0.0.1]:8080", false},
		{"127.0.0.1:9090", false},
		{"[::1]:9090", false},
		{"169.254.169.254:80", false},
		{"[::ffff:169.254.169.254]:80", false},
		{"169.254.0.1:80", false},
		{"[fe80::1]:80", false},
		{"[fd00:ec2::254]:80", false},
		{"0.0.0.0:80", false},
		{"[::]:80", false},
		{"224.0.0.1:80", false},
		{"255.255.255.255:80", false},
		{"169.254.10.7:80", true}, // allowed by the operator
		{"10.9.9.9:80", false},    // denied by the operator
		{"10.1.2.3:80", true},     // allow beats deny
		{"192.0.2.1:80", false},
		{"[2001:db8::1]:80", false},
		{"[2001:4860::8888]:443", true},
		{"[64:ff9b::a9fe:a9fe]:80", false}, // NAT64 of 169.254.169.254
		{"[2002:a9fe:a9fe::1]:80", false},  // 6to4 of 169.254.169.254
		{"[64:ff9b::808:808]:53", true},    // NAT64 of 8.8.8.8
	}
	for _, tt := range tests {
		t.Run(tt.addr, func(t *testing.T) {
			err := p.Check(netip.MustParseAddrPort(tt.addr))
			if (err == nil) != tt.ok {
				t.Fatalf("Check(%s) = %v, want ok=%v", tt.addr, err, tt.ok)
			}
			if err != nil && !errors.Is(err, ErrRefused) {
				t.Fatalf("refusal %v does not wrap ErrRefused", err)
			}
		})
	}
}

func TestNewRefusesBadLists(t *testing.T) {
	for _, bad := range []string{"10.0.0.0/33", "example.com", "10.0.0", "::1/129"} {
		if _, err := New([]string{bad}, nil); err == nil {
			t.Errorf("allow %q accepted", bad)
		}
		if _, err := New(nil, []string{bad}); err == nil {
			t.Errorf("deny %q accepted", bad)
		}
	}
}

func TestCheckURL(t *testing.T) {
	p := mustPolicy(t, nil, nil)
	p.AddSelf(&net.TCPAddr{IP: net.ParseIP("127.0.0.1"), Port: 80})
	for raw, ok := range map[string]bool{
		"http://169.254.169.254/latest/meta-data": false,
		"http://[fe80::1]:8080/":                  false,
		"http://127.0.0.1/metrics":                false, // port 80 by scheme: ours
		"https://127.0.0.1/":                      true,
		"http://metadata.example/":                true, // names are checked when dialled
	} {
		if err := p.CheckURL(raw); (err == nil) != ok {
			t.Errorf("CheckURL(%s) = %v, want ok=%v", raw, err, ok)
		}
	}
}

// The client refuses a redirect into a refused address, after the first
// hop was fine: the check is on every connection, not on the URL.
func TestClientChecksEveryRedirect(t *testing.T) {
	self := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { _, _ = w.Write([]byte("secret metrics")) }))
	defer self.Close()
	bounce := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, self.URL+"/metrics", http.StatusFound)
	}))
	defer bounce.Close()
	p := mustPolicy(t, nil, nil)
	p.AddSelf(self.Listener.Addr())
	resp, err := p.Client(5 * time.Second).Get(bounce.URL)
	if err == nil {
		resp.Body.Close()
		t.Fatal("the redirect into the server's own address was followed")
	}
	if !errors.Is(err, ErrRefused) || !strings.Contains(err.Error(), "own address") {
		t.Fatalf("error %v, want a refusal naming our own address", err)
	}
	resp, err = p.Client(5 * time.Second).Get(bounce.URL + "/x")
	if err == nil {
		resp.Body.Close()
	}
	if !errors.Is(err, ErrRefused) {
		t.Fatalf("second call: %v", err)
	}
}

// FuzzCheck: the verdict for an address never depends on how it is
// written (IPv4 or IPv4-mapped IPv6), link-local addresses are always
// refused by default, and nothing panics.
func FuzzCheck(f *testing.F) {
	for _, s := range []string{"169.254.169.254", "127.0.0.1", "::1", "fe80::1%eth0", "::ffff:10.0.0.1", "fd00:ec2::254", "0.0.0.0", "8.8.8.8"} {
		f.Add(s, uint16(80))
	}
	p := mustPolicy(f, []string{"8.8.8.0/24"}, []string{"10.0.0.0/8"})
	p.AddSelf(&net.TCPAddr{IP: net.ParseIP("127.0.0.1"), Port: 8080})
	f.Fuzz(func(t *testing.T, s string, port uint16) {
		a, err := netip.ParseAddr(s)
		if err != nil {
			return
		}
		err1 := p.Check(netip.AddrPortFrom(a, port))
		if a.Is4() {
			err2 := p.Check(netip.AddrPortFrom(netip.AddrFrom16(a.As16()), port))
			if (err1 == nil) != (err2 == nil) {
				t.Fatalf("%s: %v, as IPv4-mapped: %v", a, err1, err2)
			}
		}
		if a.Unmap().IsLinkLocalUnicast() && err1 == nil {
			t.Fatalf("link-local %s allowed", a)
		}
		_ = p.CheckURL("http://" + netip.AddrPortFrom(a, port).String() + "/")
	})
}
