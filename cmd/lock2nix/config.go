package main

import (
	"errors"
	"fmt"
	iofs "io/fs"
	"maps"
	"os"
	"path"
	"slices"
	"strings"

	"github.com/BurntSushi/toml"
	"github.com/lock2nix/lock2nix/internal/gitignore"
)

// config is generate's lock2nix.toml: folders to leave out, and each
// project's flags, by format and folder.
type config struct {
	name    string
	exclude *gitignore.Matcher
	// projects holds, by format, each folder's settings.
	projects map[string]map[string]projectConfig
}

// projectConfig is one project's settings.
type projectConfig struct {
	// Flags are the command's own flags, as on its command line.
	Flags []string `toml:"flags"`
}

// readConfig reads the config file name; a missing one is empty unless
// given explicitly.
func readConfig(name string, given bool) (*config, error) {
	cfg := &config{name: name, exclude: &gitignore.Matcher{}, projects: map[string]map[string]projectConfig{}}
	data, err := os.ReadFile(name)
	if errors.Is(err, iofs.ErrNotExist) && !given {
		return cfg, nil
	}
	if err != nil {
		return nil, err
	}
	var raw map[string]toml.Primitive
	md, err := toml.Decode(string(data), &raw)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	var errs []error
	bad := func(format string, args ...any) {
		errs = append(errs, fmt.Errorf("%s: "+format, append([]any{name}, args...)...))
	}
	var formats []string
	for _, c := range commands {
		formats = append(formats, c.name)
	}
	for _, k := range slices.Sorted(maps.Keys(raw)) {
		switch {
		case k == "exclude":
			var ex []string
			if err := md.PrimitiveDecode(raw[k], &ex); err != nil {
				bad("exclude: %v", err)
				continue
			}
			cfg.exclude.Add("", []byte(strings.Join(ex, "\n")))
		case slices.Contains(formats, k):
			var ps map[string]projectConfig
			if err := md.PrimitiveDecode(raw[k], &ps); err != nil {
				bad("[%s]: %v", k, err)
				continue
			}
			cfg.projects[k] = map[string]projectConfig{}
			for _, dir := range slices.Sorted(maps.Keys(ps)) {
				clean := path.Clean(dir)
				if path.IsAbs(clean) || clean == ".." || strings.HasPrefix(clean, "../") || strings.Contains(dir, `\`) {
					bad("[%s.%q]: want a folder inside the root, relative to it, with /", k, dir)
					continue
				}
				cfg.projects[k][clean] = ps[dir]
			}
		default:
			bad("unknown key %s: want exclude, or a table per format (%s)", k, strings.Join(formats, ", "))
		}
	}
	for _, k := range md.Undecoded() {
		if len(k) > 2 && slices.Contains(formats, k[0]) {
			bad("[%s.%q]: unknown key %s: a project takes flags only", k[0], k[1], strings.Join(k[2:], "."))
		}
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	return cfg, nil
}

// flags are the flags the config gives the project of format in dir.
func (cfg *config) flags(format, dir string) []string {
	return cfg.projects[format][dir].Flags
}

// dirs lists the folders the config names for format, sorted.
func (cfg *config) dirs(format string) []string {
	return slices.Sorted(maps.Keys(cfg.projects[format]))
}
