package pdfops

import (
	"bytes"
	"fmt"
	"math/rand"
	"os"
	"testing"
	"time"
)

func TestScratchHang(t *testing.T) {
	seeds := [][]byte{facture(t), factureCompressed(t, false), traite(t)}
	rng := rand.New(rand.NewSource(1))
	for i := 0; i < 3000; i++ {
		s := seeds[rng.Intn(len(seeds))]
		d := append([]byte{}, s...)
		for k := 0; k < 1+rng.Intn(4); k++ {
			switch rng.Intn(3) {
			case 0:
				d[rng.Intn(len(d))] = byte(rng.Intn(256))
			case 1:
				p := rng.Intn(len(d))
				d = append(d[:p], d[min(len(d), p+rng.Intn(20)):]...)
			case 2:
				p := rng.Intn(len(d))
				d = append(d[:p], append([]byte{byte('0' + rng.Intn(10))}, d[p:]...)...)
			}
		}
		done := make(chan struct{})
		start := time.Now()
		go func() { Text(bytes.NewReader(d)); close(done) }()
		select {
		case <-done:
			if el := time.Since(start); el > 200*time.Millisecond {
				fmt.Println("slow", i, el)
			}
		case <-time.After(3 * time.Second):
			os.WriteFile("/work/scratch/hang.pdf", d, 0o644)
			panic(fmt.Sprintf("hang at %d", i))
		}
	}
}
