package pnpm

import (
	"testing"

	"github.com/lock2nix/lock2nix/internal/nixtest"
)

// TestSchemaRefused gives the pnpm builders data files they cannot read:
// each is refused with a message naming the file's schema, the
// builders', and what to do.
func TestSchemaRefused(t *testing.T) {
	nixtest.Need(t)
	repo := nixtest.Repo(t)
	nixtest.SchemaRefusals(t, "pnpm", Schema, `sources = { }; lock = "{}";`, func(data string) ([]byte, error) {
		return nixtest.Eval(nixtest.WithBuilders(repo, repo, "pnpm", `(pnpm { file = `+data+`; }).nodeModules.drvPath`))
	})
}
