// Package docs holds the staff's format reference (format.md, codes.md),
// embedded so that `segur aide` prints it without the repository.
package docs

import "embed"

// FS holds format.md and codes.md.
//
//go:embed format.md codes.md
var FS embed.FS
