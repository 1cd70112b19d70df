package main

import (
	"io"
	"slices"
	"strings"
	"testing"
)

func TestConfigForSeveralInstances(t *testing.T) {
	const key = "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY="
	tests := []struct {
		name    string
		args    []string
		env     map[string]string
		wantErr string // "" for a valid configuration
		wantLoc string
	}{
		{"SQLite by default", nil, nil, "", "switchboard.db"},
		{"PostgreSQL with a key", []string{"--database-url", "postgres://u@db/sb"}, map[string]string{"SWITCHBOARD_SECRET_KEY": key}, "", "postgres://u@db/sb"},
		{"PostgreSQL from the environment", nil, map[string]string{"SWITCHBOARD_DATABASE_URL": "postgresql://u@db/sb", "SWITCHBOARD_SECRET_KEY": key}, "", "postgresql://u@db/sb"},
		{"PostgreSQL needs the shared key", []string{"--database-url", "postgres://u:secret@db/sb"}, nil, "SWITCHBOARD_SECRET_KEY is required", ""},
		{"not a PostgreSQL URL", []string{"--database-url", "mysql://u:secret@db/sb"}, map[string]string{"SWITCHBOARD_SECRET_KEY": key}, "is not a postgres:// URL", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := parseConfig(tt.args, func(k string) string { return tt.env[k] }, io.Discard)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("got %v, want an error saying %q", err, tt.wantErr)
				}
				if strings.Contains(err.Error(), "secret@") {
					t.Fatalf("the error shows the password: %v", err)
				}
				return
			}
			if err != nil || c.location() != tt.wantLoc || c.instanceID == "" {
				t.Fatalf("got %v location %q instance %q, want %q and an instance id", err, c.location(), c.instanceID, tt.wantLoc)
			}
		})
	}
}

func TestConfigCORSOrigins(t *testing.T) {
	tests := []struct {
		name    string
		args    []string
		env     string // SWITCHBOARD_CORS_ORIGINS
		want    []string
		wantErr string
	}{
		{"none by default", nil, "", nil, ""},
		{"a repeated flag", []string{"--cors-origin", "http://localhost:3000", "--cors-origin", "https://app.example.com"}, "",
			[]string{"http://localhost:3000", "https://app.example.com"}, ""},
		{"the environment, comma-separated", nil, "http://localhost:3000, https://app.example.com:8443",
			[]string{"http://localhost:3000", "https://app.example.com:8443"}, ""},
		{"flags win over the environment", []string{"--cors-origin", "http://localhost:3000"}, "https://app.example.com",
			[]string{"http://localhost:3000"}, ""},
		{"written as a browser sends it", []string{"--cors-origin", "HTTP://LocalHost:3000/"}, "", []string{"http://localhost:3000"}, ""},
		{"a wildcard", []string{"--cors-origin", "*"}, "", nil, "not an origin"},
		{"no scheme", []string{"--cors-origin", "localhost:3000"}, "", nil, "not an origin"},
		{"a path", []string{"--cors-origin", "http://localhost:3000/app"}, "", nil, "not an origin"},
		{"another scheme", nil, "ftp://localhost:3000", nil, "not an origin"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			getenv := func(k string) string {
				if k == "SWITCHBOARD_CORS_ORIGINS" {
					return tt.env
				}
				return ""
			}
			c, err := parseConfig(tt.args, getenv, io.Discard)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("got %v, want an error saying %q", err, tt.wantErr)
				}
				return
			}
			if err != nil || !slices.Equal(c.corsOrigins, tt.want) {
				t.Fatalf("got %q %v, want %q", c.corsOrigins, err, tt.want)
			}
		})
	}
}

func TestConfigHardeningFlags(t *testing.T) {
	tests := []struct {
		name    string
		args    []string
		env     map[string]string
		wantErr string
		secure  bool
	}{
		{"defaults", nil, nil, "", false},
		{"--cookie-secure", []string{"--cookie-secure"}, nil, "", true},
		{"from the environment", nil, map[string]string{"SWITCHBOARD_COOKIE_SECURE": "true"}, "", true},
		{"a flag beats the environment", []string{"--cookie-secure=false"}, map[string]string{"SWITCHBOARD_COOKIE_SECURE": "true"}, "", false},
		{"not a boolean", nil, map[string]string{"SWITCHBOARD_COOKIE_SECURE": "yes please"}, "SWITCHBOARD_COOKIE_SECURE", false},
		{"webhook lists", []string{"--webhook-allow", "10.0.0.0/8", "--webhook-deny", "192.0.2.1"}, nil, "", false},
		{"webhook lists from the environment", nil, map[string]string{"SWITCHBOARD_WEBHOOK_DENY": "10.0.0.0/8, 192.0.2.0/24"}, "", false},
		{"a bad CIDR", []string{"--webhook-deny", "10.0.0.0/40"}, nil, "--webhook-deny", false},
		{"a host name is no CIDR", nil, map[string]string{"SWITCHBOARD_WEBHOOK_ALLOW": "metadata.internal"}, "--webhook-allow", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := parseConfig(tt.args, func(k string) string { return tt.env[k] }, io.Discard)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("got %v, want an error saying %q", err, tt.wantErr)
				}
				return
			}
			if err != nil || c.cookieSecure != tt.secure || c.egress == nil {
				t.Fatalf("got %v, secure %v (want %v), policy %v", err, c.cookieSecure, tt.secure, c.egress)
			}
		})
	}
}
