// Command pwaicons writes the app's icons (web/internal/pwaicon) into web/static/icons/:
// icon-192.png, icon-512.png and the maskable icon-maskable-512.png that
// manifest.webmanifest names. Run from the repository: go run ./web/pwaicons.
package main

import (
	"bytes"
	"fmt"
	"image/png"
	"os"
	"path/filepath"

	"github.com/trygg-gis/trygg/web/internal/pwaicon"
)

func main() {
	dir := filepath.Join("web", "static", "icons")
	if len(os.Args) > 1 {
		dir = os.Args[1]
	}
	for _, ic := range pwaicon.Icons {
		var buf bytes.Buffer
		if err := (&png.Encoder{CompressionLevel: png.BestCompression}).Encode(&buf, pwaicon.Draw(ic.Size, ic.Maskable)); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		if err := os.WriteFile(filepath.Join(dir, ic.Name), buf.Bytes(), 0o644); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		fmt.Printf("%s/%s %d bytes\n", dir, ic.Name, buf.Len())
	}
}
