package render

import (
	"bytes"
	"errors"
	"fmt"
	"image"
	"image/draw"
	"image/png"

	"github.com/johnfercher/maroto/v2/pkg/consts/extension"
	"github.com/phpdave11/gofpdf"
)

// Bounds on the logo, checked from its header before any pixel is decoded:
// a 20000×20000 PNG would take 1.6 GB once decoded.
const (
	maxLogoSide   = 4000
	maxLogoPixels = 8_000_000
)

var errLogoUnsupported = errors.New("le logo n'a pas pu être lu par le générateur de PDF : enregistrez-le en PNG 8 bits ou en JPEG")

// CheckLogo says, in French, why the fournisseur's logo cannot be drawn;
// nil when it can. validate calls it, so that a bad logo is reported at
// segur.yaml's logo line before any document is rendered.
func CheckLogo(data []byte) error {
	_, err := newLogoBox(data)
	return err
}

// checkLogo checks a PNG or JPEG logo, bounding its size from its header,
// and returns the bytes to draw: a PNG that gofpdf cannot read as it is (16
// bits per channel, as ImageMagick writes by default, or interlaced) is
// re-encoded as a plain 8-bit PNG.
func checkLogo(data []byte) ([]byte, extension.Type, error) {
	var ext extension.Type
	switch {
	case bytes.HasPrefix(data, []byte("\x89PNG\r\n\x1a\n")):
		ext = extension.Png
	case bytes.HasPrefix(data, []byte("\xff\xd8\xff")):
		ext = extension.Jpg
	default:
		return nil, "", errors.New("le logo n'est ni une image PNG ni une image JPEG")
	}
	cfg, _, err := image.DecodeConfig(bytes.NewReader(data))
	if err != nil {
		return nil, "", errors.New("le logo est une image illisible (fichier abîmé ou tronqué)")
	}
	if cfg.Width <= 0 || cfg.Height <= 0 {
		return nil, "", errors.New("le logo est une image vide")
	}
	if cfg.Width > maxLogoSide || cfg.Height > maxLogoSide || cfg.Width*cfg.Height > maxLogoPixels {
		return nil, "", fmt.Errorf("le logo est trop grand (%d × %d pixels ; au plus %d pixels de côté) : réduisez-le", cfg.Width, cfg.Height, maxLogoSide)
	}
	img, _, err := image.Decode(bytes.NewReader(data))
	if err != nil {
		return nil, "", errors.New("le logo est une image illisible (fichier abîmé ou tronqué)")
	}
	if ext == extension.Png && !gofpdfReads(data, ext) {
		// Re-encode as 8-bit RGBA, which gofpdf reads.
		rgba := image.NewNRGBA(img.Bounds())
		draw.Draw(rgba, rgba.Bounds(), img, img.Bounds().Min, draw.Src)
		var b bytes.Buffer
		if err := png.Encode(&b, rgba); err != nil {
			return nil, "", errLogoUnsupported
		}
		data = b.Bytes()
	}
	return data, ext, nil
}

// gofpdfReads reports whether gofpdf accepts the image as it is.
func gofpdfReads(data []byte, ext extension.Type) bool {
	pdf := gofpdf.New("P", "mm", "A4", "")
	info := pdf.RegisterImageOptionsReader("logo", gofpdf.ImageOptions{ImageType: string(ext)}, bytes.NewReader(data))
	return pdf.Error() == nil && info != nil
}
