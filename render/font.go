package render

import (
	"errors"
	"fmt"

	"github.com/johnfercher/maroto/v2/pkg/consts/fontstyle"
	"github.com/johnfercher/maroto/v2/pkg/core/entity"
	"github.com/johnfercher/maroto/v2/pkg/fontrepository"
	"golang.org/x/image/font/sfnt"
)

// fontFamily is the name under which Fonts are registered in every document.
const fontFamily = "dejavu"

// requiredRunes are the characters every document may print and that text
// extraction must give back: French letters, typographic punctuation, the
// euro sign and the two check boxes.
const requiredRunes = "éèêëàâçîïôûùüÿœŒÉÈÀÇ«»’€–—…" + BoxTicked + BoxEmpty

// Fonts holds the two TrueType files embedded in every document, regular and
// bold. They must cover Latin-1, œ Œ ’ « » € – — … and the boxes ☐ ☒; the
// templates package provides subsets of DejaVu Sans that do.
//
// The bytes are only read, never modified, so one Fonts value may be shared
// by documents built concurrently.
type Fonts struct {
	Regular []byte
	Bold    []byte
}

// customFonts checks both fonts and returns them in the form maroto expects.
func (f Fonts) customFonts() ([]entity.CustomFont, error) {
	for _, font := range []struct {
		name string
		data []byte
	}{{"regular", f.Regular}, {"bold", f.Bold}} {
		if err := checkFont(font.data); err != nil {
			return nil, fmt.Errorf("render: %s font: %w", font.name, err)
		}
	}

	fonts, err := fontrepository.New().
		AddUTF8FontFromBytes(fontFamily, fontstyle.Normal, f.Regular).
		AddUTF8FontFromBytes(fontFamily, fontstyle.Bold, f.Bold).
		Load()
	if err != nil {
		return nil, fmt.Errorf("render: load fonts: %w", err)
	}
	return fonts, nil
}

// checkFont parses a TrueType file and checks that it has a glyph for every
// required rune, so that a bad font is reported before rendering instead of
// giving a document with missing characters (gofpdf would silently print
// nothing for them).
func checkFont(data []byte) error {
	if len(data) == 0 {
		return errors.New("empty")
	}
	font, err := sfnt.Parse(data)
	if err != nil {
		return fmt.Errorf("parse: %w", err)
	}
	var buf sfnt.Buffer
	for _, r := range requiredRunes {
		idx, err := font.GlyphIndex(&buf, r)
		if err != nil {
			return fmt.Errorf("glyph %q: %w", r, err)
		}
		if idx == 0 {
			return fmt.Errorf("no glyph for %q (U+%04X)", r, r)
		}
	}
	return nil
}
