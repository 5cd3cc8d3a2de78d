package main

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	iofs "io/fs"
	"maps"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/lock2nix/lock2nix/npmlock"
)

// npmConfig is what lock2nix reads of npm's configuration: the registry,
// the scopes' registries and replace-registry-host, each with where it
// came from. Nothing else is kept: auth tokens and passwords (_authToken,
// _auth, _password, …) are never read into it.
type npmConfig struct {
	registry    setting
	replaceHost setting
	scopes      map[string]*setting // "@scope" → its registry
	// legacyPeerDeps is npm's legacy-peer-deps: with "true", npm ci does
	// not judge peer dependencies, and neither does lock2nix.
	legacyPeerDeps setting
}

// setting is a value and where it came from ("--registry", "the project's
// .npmrc", …), for the header and messages; at is "file:line" for a value
// read from an .npmrc.
type setting struct{ value, from, at string }

// npmrcLayer is one place npm reads its configuration from, highest
// precedence first: the flags, the environment, the project's .npmrc, the
// user's .npmrc.
type npmrcLayer struct {
	from   string
	values map[string]string
	// file and lines place the values read from an .npmrc.
	file  string
	lines map[string]int
}

// loadNpmConfig layers npm's configuration as npm does: --registry and
// --replace-registry-host, the npm_config_* environment, DIR/.npmrc, the
// user's .npmrc ($NPM_CONFIG_USERCONFIG, else ~/.npmrc), then npm's
// defaults. (npm's global and built-in npmrc files are not read.)
func loadNpmConfig(dir, flagRegistry, flagReplace string, getenv func(string) string, environ []string) (*npmConfig, error) {
	flags := map[string]string{}
	if flagRegistry != "" {
		flags["registry"] = flagRegistry
	}
	if flagReplace != "" {
		flags["replace-registry-host"] = flagReplace
	}
	layers := []npmrcLayer{{from: "--registry", values: flags}, {from: "the environment", values: envConfig(environ)}}
	if flagReplace != "" && flagRegistry == "" {
		layers[0].from = "--replace-registry-host"
	}
	project := filepath.Join(dir, ".npmrc")
	user, userFrom := firstOf(getenv("NPM_CONFIG_USERCONFIG"), getenv("npm_config_userconfig")), "$NPM_CONFIG_USERCONFIG"
	if home := getenv("HOME"); user == "" && home != "" {
		user, userFrom = filepath.Join(home, ".npmrc"), "~/.npmrc"
	}
	for _, f := range []struct{ path, from string }{{project, "the project's .npmrc"}, {user, userFrom}} {
		if f.path == "" {
			continue
		}
		data, err := os.ReadFile(f.path)
		if errors.Is(err, iofs.ErrNotExist) {
			continue
		}
		if err != nil {
			return nil, err
		}
		values, lines := parseNpmrc(data)
		layers = append(layers, npmrcLayer{from: f.from, values: values, file: f.path, lines: lines})
	}
	c := &npmConfig{
		registry:    setting{value: npmlock.DefaultRegistry, from: "npm's default"},
		replaceHost: setting{value: "npmjs", from: "npm's default"},
		scopes:      map[string]*setting{},
	}
	// Lowest precedence first, so that higher layers overwrite.
	for i := len(layers) - 1; i >= 0; i-- {
		l := layers[i]
		for k, v := range l.values {
			from := l.from
			if l.from == "the environment" {
				from = "$npm_config_" + strings.ReplaceAll(k, "-", "_")
			}
			at := ""
			if l.file != "" {
				at = fmt.Sprintf("%s:%d", l.file, l.lines[k])
			}
			switch {
			case k == "registry":
				c.registry = setting{v, from, at}
			case k == "replace-registry-host":
				c.replaceHost = setting{v, from, at}
			case k == "legacy-peer-deps":
				c.legacyPeerDeps = setting{v, from, at}
			case strings.HasPrefix(k, "@") && strings.HasSuffix(k, ":registry"):
				c.scopes[strings.TrimSuffix(k, ":registry")] = &setting{v, from, at}
			}
		}
	}
	for _, s := range c.all() {
		if err := expandEnv(s, getenv); err != nil {
			return nil, err
		}
	}
	for _, s := range c.all() {
		if s == &c.replaceHost {
			continue
		}
		if err := checkRegistry(s); err != nil {
			return nil, err
		}
	}
	return c, nil
}

// all returns the settings, for checks that apply to each: the registry,
// replace-registry-host, then the scopes' registries.
func (c *npmConfig) all() []*setting {
	out := []*setting{&c.registry, &c.replaceHost}
	for _, s := range c.scopes {
		out = append(out, s)
	}
	return out
}

// registryFor returns the setting a package's registry comes from: the
// registry, else the first scope (in name order) with that URL.
func (c *npmConfig) registryFor(reg string) setting {
	if withSlash(c.registry.value) == reg {
		return c.registry
	}
	for _, k := range slices.Sorted(maps.Keys(c.scopes)) {
		if s := c.scopes[k]; withSlash(s.value) == reg {
			return *s
		}
	}
	return c.registry
}

// machineSettings lists the settings that come from this machine (the
// environment, the user's .npmrc) rather than from the project or a
// flag: output that depends on them differs on a machine without them.
func (c *npmConfig) machineSettings() []string {
	var out []string
	add := func(name string, s setting) {
		if s.from != "npm's default" && s.from != "the project's .npmrc" && !strings.HasPrefix(s.from, "--") {
			out = append(out, name+" from "+s.from)
		}
	}
	add("registry", c.registry)
	add("replace-registry-host", c.replaceHost)
	for _, k := range slices.Sorted(maps.Keys(c.scopes)) {
		add(k+":registry", *c.scopes[k])
	}
	// legacy-peer-deps changes the verdict on peer dependencies.
	if c.legacyPeerDeps.from != "" {
		add("legacy-peer-deps", c.legacyPeerDeps)
	}
	return out
}

// options returns the settings as npmlock takes them.
// configuredRegistry is the registry the user configured, "" when npm's
// default stands.
func (c *npmConfig) configuredRegistry() string {
	if c.registry.value == npmlock.DefaultRegistry {
		return ""
	}
	return c.registry.value
}

func (c *npmConfig) options() npmlock.Registry {
	r := npmlock.Registry{URL: c.registry.value, ReplaceHost: c.replaceHost.value}
	if len(c.scopes) > 0 {
		r.Scopes = map[string]string{}
		for k, s := range c.scopes {
			r.Scopes[k] = s.value
		}
	}
	return r
}

// errorf is an error about s, placed at its .npmrc line when it has one.
func (s *setting) errorf(format string, args ...any) error {
	err := fmt.Errorf(format, args...)
	if s.at != "" {
		return fmt.Errorf("%s: %w", s.at, err)
	}
	return err
}

// checkRegistry accepts an http(s) URL with a host; credentials written
// into it (https://user:token@host/) are dropped, since the generated file
// must never hold them: they reach Nix's fetchers another way (README).
func checkRegistry(s *setting) error {
	u, err := url.Parse(s.value)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" ||
		strings.ContainsAny(s.value, " \t\r\n") {
		return s.errorf("registry from %s is not an http(s) URL with a host", s.from)
	}
	if u.User != nil {
		u.User = nil
		s.value = u.String()
	}
	s.value = withSlash(s.value)
	return nil
}

func withSlash(s string) string {
	if strings.HasSuffix(s, "/") {
		return s
	}
	return s + "/"
}

// expandEnv replaces ${NAME} in a setting with the environment variable,
// as npm does in .npmrc values; an unset variable is an error, as in npm.
func expandEnv(s *setting, getenv func(string) string) error {
	var b strings.Builder
	rest := s.value
	for {
		i := strings.Index(rest, "${")
		if i < 0 {
			b.WriteString(rest)
			break
		}
		j := strings.IndexByte(rest[i:], '}')
		if j < 0 {
			b.WriteString(rest)
			break
		}
		name := rest[i+2 : i+j]
		optional := strings.HasSuffix(name, "?")
		name = strings.TrimSuffix(name, "?")
		v := getenv(name)
		if v == "" && !optional {
			return s.errorf("%s refers to ${%s}, which is not set", s.from, name)
		}
		b.WriteString(rest[:i])
		b.WriteString(v)
		rest = rest[i+j+1:]
	}
	s.value = b.String()
	return nil
}

// envConfig reads npm's npm_config_* environment variables (any case) the
// way npm names them (the prefix dropped, "_" after the first character
// turned into "-", lower case), keeping only the settings lock2nix reads.
func envConfig(environ []string) map[string]string {
	out := map[string]string{}
	for _, kv := range environ {
		k, v, _ := strings.Cut(kv, "=")
		if len(k) <= len("npm_config_") || !strings.EqualFold(k[:len("npm_config_")], "npm_config_") || v == "" {
			continue
		}
		k = k[len("npm_config_"):]
		k = strings.ToLower(k[:1] + strings.ReplaceAll(k[1:], "_", "-"))
		if readSetting(k) {
			out[k] = v
		}
	}
	return out
}

// parseNpmrc reads the key=value lines of an .npmrc (npm's ini format):
// comments start with ";" or "#" (also after an unquoted value), a value
// may be quoted, keys under a
// [section] are not npm settings. Only the keys lock2nix reads are kept.
func parseNpmrc(data []byte) (values map[string]string, lines map[string]int) {
	values, lines = map[string]string{}, map[string]int{}
	section := false
	sc := bufio.NewScanner(bytes.NewReader(data))
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || line[0] == ';' || line[0] == '#' {
			continue
		}
		if line[0] == '[' {
			section = true
			continue
		}
		k, v, ok := strings.Cut(line, "=")
		if !ok || section {
			continue
		}
		k, v = strings.TrimSpace(k), strings.TrimSpace(v)
		if len(v) >= 2 && (v[0] == '"' || v[0] == '\'') && v[len(v)-1] == v[0] {
			v = v[1 : len(v)-1]
		} else if i := strings.IndexAny(v, ";#"); i >= 0 {
			// An unquoted value ends where a comment starts, as in
			// npm's ini reader.
			v = strings.TrimSpace(v[:i])
		}
		if readSetting(k) {
			values[k], lines[k] = v, n
		}
	}
	return values, lines
}

// readSetting reports whether lock2nix reads npm's setting k: the
// registry, a scope's registry, replace-registry-host, legacy-peer-deps. Nothing else (auth
// tokens and passwords above all) is kept.
func readSetting(k string) bool {
	return k == "registry" || k == "replace-registry-host" || k == "legacy-peer-deps" || (strings.HasPrefix(k, "@") && strings.HasSuffix(k, ":registry"))
}

func firstOf(vs ...string) string {
	for _, v := range vs {
		if v != "" {
			return v
		}
	}
	return ""
}
