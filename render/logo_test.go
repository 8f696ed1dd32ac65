package render

import (
	"bytes"
	"encoding/binary"
	"hash/crc32"
	"image"
	"image/color"
	"image/png"
	"runtime"
	"strings"
	"testing"
)

// pngHeader is the start of a PNG claiming w×h pixels: enough for
// image.DecodeConfig, nothing for the pixels.
func pngHeader(w, h uint32) []byte {
	var b bytes.Buffer
	b.WriteString("\x89PNG\r\n\x1a\n")
	ihdr := make([]byte, 13)
	binary.BigEndian.PutUint32(ihdr[0:], w)
	binary.BigEndian.PutUint32(ihdr[4:], h)
	ihdr[8], ihdr[9] = 8, 6 // 8 bits, RGBA
	binary.Write(&b, binary.BigEndian, uint32(len(ihdr)))
	chunk := append([]byte("IHDR"), ihdr...)
	b.Write(chunk)
	binary.Write(&b, binary.BigEndian, crc32.ChecksumIEEE(chunk))
	return b.Bytes()
}

// TestLogos (issue #10, cases 6 and 8): a 16-bit PNG (ImageMagick's
// default) is drawn; a non-image, and a 20000×20000 PNG, are refused in
// French, the latter before any pixel is decoded.
func TestLogos(t *testing.T) {
	img16 := image.NewRGBA64(image.Rect(0, 0, 40, 20))
	for x := range 40 {
		img16.Set(x, x/2, color.RGBA64{R: 0xffff, A: 0xffff})
	}
	var b16 bytes.Buffer
	if err := png.Encode(&b16, img16); err != nil {
		t.Fatal(err)
	}
	if b16.Bytes()[24] != 16 {
		t.Fatalf("the test logo is %d bits deep, want 16", b16.Bytes()[24])
	}
	if err := CheckLogo(b16.Bytes()); err != nil {
		t.Errorf("16-bit PNG: %v", err)
	}
	if err := onePage(loadFonts(t), b16.Bytes()); err != nil {
		t.Errorf("16-bit PNG in a page: %v", err)
	}
	for _, tc := range []struct {
		name string
		data []byte
		want string
	}{
		{"text named .png", []byte("ceci n'est pas une image"), "ni une image PNG ni une image JPEG"},
		{"20000×20000", pngHeader(20000, 20000), "trop grand"},
	} {
		var before, after runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&before)
		err := CheckLogo(tc.data)
		runtime.ReadMemStats(&after)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: got %v, want %q", tc.name, err, tc.want)
		}
		if grew := after.TotalAlloc - before.TotalAlloc; grew > 8<<20 {
			t.Errorf("%s: %d MiB allocated to refuse it", tc.name, grew>>20)
		}
	}
}
