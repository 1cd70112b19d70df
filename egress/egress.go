// Package egress decides which addresses the server's own outbound calls
// (webhooks) may reach. The check runs on the connection itself, after DNS
// and for every redirect, so neither a hostname that resolves inward nor a
// redirect can get past it.
package egress

import (
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

// ErrRefused is wrapped by every refusal.
var ErrRefused = errors.New("address refused by the webhook egress policy")

// awsMetadataV6 is the IPv6 address of EC2's instance metadata service;
// the IPv4 one (169.254.169.254) is link-local like the others.
var awsMetadataV6 = netip.MustParseAddr("fd00:ec2::254")

// Policy says which addresses may be dialled. Its order:
//  1. the server's own listen addresses are always refused;
//  2. an address in the allow list is allowed;
//  3. an address in the deny list is refused;
//  4. link-local (cloud metadata included), unspecified, multicast and
//     broadcast addresses are refused;
//  5. anything else is allowed.
//
// So --webhook-deny 0.0.0.0/0 --webhook-deny ::/0 with an allow list admits
// only the allow list.
type Policy struct {
	allow, deny []netip.Prefix

	mu   sync.RWMutex
	self []netip.AddrPort
	// anyPorts: ports this server listens on at every local address.
	anyPorts []uint16
}

// New builds a policy from allow and deny lists of CIDRs or single
// addresses.
func New(allow, deny []string) (*Policy, error) {
	p := &Policy{}
	var err error
	if p.allow, err = parsePrefixes("--webhook-allow", allow); err != nil {
		return nil, err
	}
	if p.deny, err = parsePrefixes("--webhook-deny", deny); err != nil {
		return nil, err
	}
	return p, nil
}

func parsePrefixes(flag string, list []string) ([]netip.Prefix, error) {
	var out []netip.Prefix
	for _, s := range list {
		s = strings.TrimSpace(s)
		if s == "" {
			continue
		}
		if !strings.Contains(s, "/") {
			a, err := netip.ParseAddr(s)
			if err != nil {
				return nil, fmt.Errorf("%s: %q is not an IP address or CIDR", flag, s)
			}
			a = a.Unmap()
			out = append(out, netip.PrefixFrom(a, a.BitLen()))
			continue
		}
		pr, err := netip.ParsePrefix(s)
		if err != nil {
			return nil, fmt.Errorf("%s: %q is not an IP address or CIDR", flag, s)
		}
		if pr.Addr().Is4In6() {
			pr = netip.PrefixFrom(pr.Addr().Unmap(), pr.Bits()-96)
		}
		out = append(out, pr.Masked())
	}
	return out, nil
}

// AddSelf records an address this server listens on: calls to it are
// always refused (a webhook must not read the server's own pages or
// metrics). A listener on the unspecified address covers every local
// address on its port.
func (p *Policy) AddSelf(addr net.Addr) {
	ap, err := netip.ParseAddrPort(addr.String())
	if err != nil {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if ap.Addr().IsUnspecified() {
		p.anyPorts = append(p.anyPorts, ap.Port())
		return
	}
	p.self = append(p.self, netip.AddrPortFrom(ap.Addr().Unmap(), ap.Port()))
}

// Check says whether the address may be dialled; a refusal wraps
// ErrRefused and says why.
func (p *Policy) Check(ap netip.AddrPort) error {
	a := ap.Addr().Unmap().WithZone("")
	// NAT64 and 6to4 addresses carry an IPv4 address a gateway will reach:
	// it answers to the same rules.
	if v4, ok := embeddedV4(a); ok {
		if err := p.Check(netip.AddrPortFrom(v4, ap.Port())); err != nil {
			return fmt.Errorf("%w (inside %s)", err, a)
		}
	}
	if p.isSelf(a, ap.Port()) {
		return fmt.Errorf("%w: %s is this server's own address", ErrRefused, ap)
	}
	for _, pr := range p.allow {
		if pr.Contains(a) {
			return nil
		}
	}
	for _, pr := range p.deny {
		if pr.Contains(a) {
			return fmt.Errorf("%w: %s is in --webhook-deny %s", ErrRefused, a, pr)
		}
	}
	if why := reserved(a); why != "" {
		return fmt.Errorf("%w: %s is %s (allow it with --webhook-allow)", ErrRefused, a, why)
	}
	return nil
}

var (
	nat64  = netip.MustParsePrefix("64:ff9b::/96")
	sixTo4 = netip.MustParsePrefix("2002::/16")
)

// embeddedV4 is the IPv4 address inside a NAT64 or 6to4 address.
func embeddedV4(a netip.Addr) (netip.Addr, bool) {
	b := a.As16()
	switch {
	case !a.Is6():
		return netip.Addr{}, false
	case nat64.Contains(a):
		return netip.AddrFrom4([4]byte{b[12], b[13], b[14], b[15]}), true
	case sixTo4.Contains(a):
		return netip.AddrFrom4([4]byte{b[2], b[3], b[4], b[5]}), true
	}
	return netip.Addr{}, false
}

func reserved(a netip.Addr) string {
	switch {
	case !a.IsValid():
		return "not an address"
	case a.IsLinkLocalUnicast() || a == awsMetadataV6:
		return "link-local, where cloud metadata services answer"
	case a.IsUnspecified():
		return "unspecified"
	case a.IsMulticast():
		return "multicast"
	case a == netip.AddrFrom4([4]byte{255, 255, 255, 255}):
		return "broadcast"
	}
	return ""
}

func (p *Policy) isSelf(a netip.Addr, port uint16) bool {
	p.mu.RLock()
	defer p.mu.RUnlock()
	for _, s := range p.self {
		if s.Port() == port && s.Addr() == a {
			return true
		}
	}
	for _, anyPort := range p.anyPorts {
		if anyPort == port && (a.IsLoopback() || a.IsUnspecified() || isLocal(a)) {
			return true
		}
	}
	return false
}

// isLocal says whether a is one of this machine's interface addresses.
func isLocal(a netip.Addr) bool {
	addrs, err := net.InterfaceAddrs()
	if err != nil {
		return true // cannot tell: refuse rather than reach ourselves
	}
	for _, ad := range addrs {
		if n, ok := ad.(*net.IPNet); ok {
			if ip, ok := netip.AddrFromSlice(n.IP); ok && ip.Unmap() == a {
				return true
			}
		}
	}
	return false
}

// control is a net.Dialer Control: it sees the address actually dialled.
func (p *Policy) control(_, address string, _ syscall.RawConn) error {
	ap, err := netip.ParseAddrPort(address)
	if err != nil {
		return fmt.Errorf("%w: cannot read %q", ErrRefused, address)
	}
	return p.Check(ap)
}

// Client is an HTTP client whose every connection obeys the policy. It
// uses no proxy from the environment (a proxy would dial for us, past the
// check) and follows at most five redirects.
func (p *Policy) Client(timeout time.Duration) *http.Client {
	d := &net.Dialer{Timeout: 10 * time.Second, KeepAlive: 30 * time.Second, Control: p.control}
	tr := &http.Transport{
		Proxy:                 nil,
		DialContext:           d.DialContext,
		ForceAttemptHTTP2:     true,
		MaxIdleConns:          20,
		IdleConnTimeout:       90 * time.Second,
		TLSHandshakeTimeout:   10 * time.Second,
		ExpectContinueTimeout: time.Second,
	}
	return &http.Client{Transport: tr, Timeout: timeout, CheckRedirect: func(req *http.Request, via []*http.Request) error {
		if len(via) >= 5 {
			return errors.New("stopped after 5 redirects")
		}
		return nil
	}}
}

// CheckURL refuses a URL whose host is an IP address the policy refuses,
// so such a webhook is refused when saved rather than when it runs.
// Hostnames are checked when dialled, after DNS.
func (p *Policy) CheckURL(raw string) error {
	u, err := url.Parse(raw)
	if err != nil {
		return nil // the caller validates the URL itself
	}
	a, err := netip.ParseAddr(u.Hostname())
	if err != nil {
		return nil
	}
	port := map[string]uint16{"http": 80, "https": 443}[u.Scheme]
	if ps := u.Port(); ps != "" {
		n, err := strconv.ParseUint(ps, 10, 16)
		if err != nil {
			return nil
		}
		port = uint16(n)
	}
	return p.Check(netip.AddrPortFrom(a, port))
}
