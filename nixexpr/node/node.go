// Package node holds lock2nix's node_modules layer, what every npm-style
// format (npm, and pnpm or yarn beside it) needs to build a node_modules
// tree whatever decides where packages go: unpacking archives, linking
// bins, running install scripts in the order given, building a project
// and the dev shell's hook. Its files are ordinary files of the
// repository, read by the flake and by `import lock2nix { }`; this
// package embeds them for files written with --standalone.
package node

import _ "embed"

// Nix is modules.nix: the function from stdenv, nodejs, python3, cctools
// and the scripts to the layer's builders (unpack, runLayout,
// buildPackage, devShell, the host's platform names).
//
//go:embed modules.nix
var Nix string

// JS is modules.js, the layer's program and the module a format's own
// layout program requires as "../node/modules.js".
//
//go:embed modules.js
var JS string

// DevShell is devshell.sh, the dev shell hook's functions.
//
//go:embed devshell.sh
var DevShell string
