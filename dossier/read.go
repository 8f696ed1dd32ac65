package dossier

import (
	"bytes"
	"crypto/sha256"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"go.yaml.in/yaml/v3"
)

// ConfigName is the fournisseur file's name; directory walks skip it.
const ConfigName = "segur.yaml"

// Files expands paths (files, or directories searched recursively for *.yaml
// and *.yml, hidden folders and segur.yaml left out) into a sorted list of
// record files. A path that does not exist is an error: the command cannot
// run.
func Files(paths []string) ([]string, error) {
	var out []string
	for _, p := range paths {
		info, err := os.Stat(p)
		if err != nil {
			return nil, fmt.Errorf("« %s » est introuvable ou illisible", p)
		}
		if !info.IsDir() {
			out = append(out, p)
			continue
		}
		// A folder given as a symbolic link is walked as the folder it
		// names (WalkDir would not enter a link; a trailing separator makes
		// it).
		root := p
		if l, err := os.Lstat(p); err == nil && l.Mode()&fs.ModeSymlink != 0 {
			root = p + string(filepath.Separator)
		}
		var found []string
		err = filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			name := d.Name()
			if d.IsDir() {
				if path != root && strings.HasPrefix(name, ".") {
					return filepath.SkipDir
				}
				return nil
			}
			ext := strings.ToLower(filepath.Ext(name))
			if (ext == ".yaml" || ext == ".yml") && name != ConfigName {
				found = append(found, path)
			}
			return nil
		})
		if err != nil {
			return nil, fmt.Errorf("lecture du dossier « %s » impossible : %v", p, errors.Unwrap(err))
		}
		out = append(out, found...)
	}
	slices.Sort(out)
	return slices.Compact(out), nil
}

// Read reads every record of the given files. A file may hold several
// records separated by `---`; a record that cannot be read is returned with
// Broken set and its problems, and never hides the records after it.
func Read(files []string) []*Record {
	var recs []*Record
	for _, f := range files {
		eachRecord(f, func(_ chunk, r *Record, _ int) int {
			recs = append(recs, r)
			return len(r.Problems) + r.dropped
		})
	}
	return recs
}

// eachRecord reads file f and gives add each of its records, in order,
// with its chunk (the zero chunk for a file that cannot be read). add
// returns the problems the record gave; past MaxProblemsPerFile, the rest
// of the file is not decoded: one last broken record, given with the
// number of documents left unread as rest, counts them.
// It returns the SHA-256 of the bytes read, and whether the file could
// not be read.
func eachRecord(f string, add func(c chunk, r *Record, rest int) int) (sum [sha256.Size]byte, unreadable bool) {
	data, sum, broken := readRecords(f)
	if broken != nil {
		add(chunk{}, broken, 0)
		return sum, true
	}
	dir := recordsDir(f)
	probs, rest := 0, 0
	var first chunk // the first document left unread
	eachDocument(data, func(c chunk) {
		switch {
		case rest > 0:
			rest++
		case probs > MaxProblemsPerFile:
			first, rest = c, 1
		default:
			if r := decodeChunk(f, c); r != nil {
				r.Dir = dir
				probs += add(c, r, 0)
			}
		}
	})
	if rest > 0 {
		r := unread(f, first, rest)
		r.Dir = dir
		add(first, r, rest)
	}
	return sum, false
}

var reDocStart = regexp.MustCompile(`^---(\s|$)`)

// Decode reads the records of one file's content. name is used in positions.
func Decode(name string, data []byte) []*Record {
	var recs []*Record
	for _, c := range splitDocuments(data) {
		if r := decodeChunk(name, c); r != nil {
			recs = append(recs, r)
		}
	}
	return recs
}

// decodeChunk decodes one YAML document of file name: a record, broken or
// not, or nil when the document holds only comments.
func decodeChunk(name string, c chunk) *Record {
	if line, col, ok := invalidUTF8(c.text); ok {
		return &Record{
			Source: Pos{File: name, Line: c.line}, Broken: true, Dir: filepath.Dir(name),
			Problems: []Problem{{Pos: Pos{File: name, Line: c.line + line - 1, Col: col}, Code: "ENCODAGE_INVALIDE",
				Message: "caractère illisible : le fichier doit être enregistré en UTF-8 (et non en Latin-1 ou Windows-1252)"}},
		}
	}
	if line, col, r, ok := controlChar(c.text); ok {
		return &Record{
			Source: Pos{File: name, Line: c.line}, Broken: true, Dir: filepath.Dir(name),
			Problems: []Problem{{Pos: Pos{File: name, Line: c.line + line - 1, Col: col}, Code: "CARACTERE_INTERDIT",
				Message: fmt.Sprintf("caractère de contrôle interdit (U+%04X) : le fichier n'est peut-être pas un texte, ou a été mal copié", r)}},
		}
	}
	if tokens(c.text) > maxDocumentTokens {
		r := tooComplex(name, c)
		r.Dir = filepath.Dir(name)
		return r
	}
	var root yaml.Node
	if err := yaml.Unmarshal(c.text, &root); err != nil {
		line, msg := syntaxError(err)
		line = errorLine(c.text, line)
		pos := Pos{File: name, Line: c.line + max(line, 1) - 1}
		return &Record{
			Source: Pos{File: name, Line: c.line}, Broken: true, Dir: filepath.Dir(name),
			Problems: []Problem{{Pos: pos, Code: "YAML_SYNTAXE", Message: msg}},
		}
	}
	if len(root.Content) == 0 {
		return nil // only comments
	}
	shiftLines(&root, c.line-1)
	return decodeRecord(name, &root)
}

func decodeRecord(name string, root *yaml.Node) *Record {
	r := &Record{Dir: filepath.Dir(name), pos: positions{}}
	body := root.Content[0]
	r.Source = Pos{File: name, Line: body.Line, Col: body.Column}
	if body.Kind == yaml.MappingNode && len(body.Content) > 0 {
		r.Source = Pos{File: name, Line: body.Content[0].Line, Col: body.Content[0].Column}
	}
	d := &decoder{file: name, pos: r.pos}
	d.decode(body, reflectValue(r), "", false)
	delete(r.pos, "") // the root is not a field
	r.Problems = d.probs
	r.dropped = d.failed - len(d.probs)
	r.misspelt = d.misspelt
	// A record past the aliases' bound is refused whole: its rules would
	// only report the values left out.
	if body.Kind != yaml.MappingNode || d.tooMany {
		r.Broken = true
	}
	return r
}

type chunk struct {
	text     []byte
	line     int // line of the chunk's first line in the file
	from, to int // where the chunk's lines stand in the file's bytes
}

// splitDocuments cuts a file at its `---` lines so that a syntax error in one
// record leaves the others readable.
func splitDocuments(data []byte) []chunk {
	var out []chunk
	eachDocument(data, func(c chunk) { out = append(out, c) })
	return out
}

// eachDocument gives f each document of data, in order. The chunks share
// data's bytes (but for a record beginning on its --- line), so that a file
// of millions of lines does not take millions of slices.
func eachDocument(data []byte, f func(chunk)) {
	start, startLine, line := 0, 1, 0
	var head []byte // the --- line's content, when a record begins on it
	flush := func(end int) {
		if end > start {
			text := data[start:end]
			if head != nil {
				text = append(head, data[start+len(head):end]...)
			}
			f(chunk{text: text, line: startLine, from: start, to: end})
		}
	}
	eachLine(data, func(l []byte, off int) {
		line++
		if !reDocStart.Match(l) {
			return
		}
		flush(off)
		start, startLine, head = off+len(l), line+1, nil
		// A record may begin on the --- line itself (--- {dispositif: …}):
		// keep that content, blanking the marker so columns stay right.
		if rest := bytes.TrimSpace(l[3:]); len(rest) > 0 && rest[0] != '#' {
			head = append([]byte("   "), l[3:]...)
			start, startLine = off, line
		}
	})
	flush(len(data))
}

func shiftLines(n *yaml.Node, by int) {
	if n.Line > 0 {
		n.Line += by
	}
	for _, c := range n.Content {
		shiftLines(c, by)
	}
}

var reYAMLLine = regexp.MustCompile(`line ([0-9]+): (.*)`)

// syntaxError turns a YAML parser error into a line and a French message.
func syntaxError(err error) (int, string) {
	m := reYAMLLine.FindStringSubmatch(err.Error())
	if m == nil {
		return 0, "syntaxe YAML invalide"
	}
	line, _ := strconv.Atoi(m[1]) // digits: the pattern matched them
	detail := m[2]
	for _, t := range yamlHints {
		if strings.Contains(detail, t.en) {
			return line, "syntaxe YAML invalide : " + t.fr
		}
	}
	return line, "syntaxe YAML invalide (indentation, deux-points ou guillemets à vérifier)"
}

var yamlHints = []struct{ en, fr string }{
	{"mapping values are not allowed", "deux-points inattendu : vérifiez l'indentation ou mettez la valeur entre guillemets"},
	{"did not find expected key", "clé attendue : l'indentation de cette ligne ne correspond pas au bloc"},
	{"did not find expected '-' indicator", "élément de liste attendu : l'indentation ne correspond pas à la liste"},
	{"found character that cannot start any token", "caractère interdit en début de valeur (une tabulation ? utilisez des espaces)"},
	{"found unexpected end of stream", "fin de fichier inattendue : un guillemet ou un crochet n'est pas refermé"},
	{"could not find expected ':'", "deux-points attendu après la clé"},
	{"did not find expected node content", "valeur attendue après la clé ou le tiret"},
	{"found a tab character", "tabulation interdite : indentez avec des espaces"},
	{"unknown anchor", "ancre inconnue"},
}

func reflectValue(v any) reflect.Value { return reflect.ValueOf(v).Elem() }

// invalidUTF8 finds the first byte that is not UTF-8, as line and column
// (counted in characters) from 1.
func invalidUTF8(b []byte) (line, col int, found bool) {
	line, col = 1, 1
	for len(b) > 0 {
		r, size := utf8.DecodeRune(b)
		if r == utf8.RuneError && size <= 1 {
			return line, col, true
		}
		if r == '\n' {
			line, col = line+1, 1
		} else {
			col++
		}
		b = b[size:]
	}
	return 0, 0, false
}
