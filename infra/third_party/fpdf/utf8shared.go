// Patched (EZSCALE): this file is not in go-pdf/fpdf v0.9.0.

package fpdf

import "sync"

// UTF8Font is a TrueType font parsed once and then shared, read-only, by
// any number of documents, concurrently. AddUTF8FontFromBytes parses the
// whole font (and hashes its 65,536 character widths as JSON for the
// font's id) in every document; with a 700 KB font that was a third of an
// invoice's rendering time.
type UTF8Font struct {
	parsed utf8FontFile // as parseFile left it; copied, never written
	desc   FontDescType
	up, ut int
	cw     []int
	ids    sync.Map // font key → id: the id hashes the key too
}

// ParseUTF8Font parses a TrueType font for AddUTF8FontParsed. data must
// not change afterwards.
func ParseUTF8Font(data []byte) (*UTF8Font, error) {
	file := newUTF8Font(&fileReader{array: data})
	if err := file.parseFile(); err != nil {
		return nil, err
	}
	// What every document's subset starts from, computed once on a copy.
	scratch := *file
	scratch.fileReader = &fileReader{array: data}
	file.prelude = scratch.cutPrelude()
	return &UTF8Font{
		parsed: *file,
		desc: FontDescType{
			Ascent:       int(file.Ascent),
			Descent:      int(file.Descent),
			CapHeight:    file.CapHeight,
			Flags:        file.Flags,
			FontBBox:     file.Bbox,
			ItalicAngle:  file.ItalicAngle,
			StemV:        file.StemV,
			MissingWidth: round(file.DefaultWidth),
		},
		up: int(round(file.UnderlinePosition)),
		ut: round(file.UnderlineThickness),
		cw: file.CharWidths,
	}, nil
}

// AddUTF8FontParsed is AddUTF8FontFromBytes for a font parsed once: the
// document is byte for byte the one AddUTF8FontFromBytes would make.
func (f *Fpdf) AddUTF8FontParsed(familyStr, styleStr string, font *UTF8Font) {
	if f.err != nil {
		return
	}
	fontkey := getFontKey(familyStr, styleStr)
	if _, ok := f.fonts[fontkey]; ok {
		return
	}
	var sbarr map[int]int
	if f.aliasNbPagesStr == "" {
		sbarr = makeSubsetRange(57)
	} else {
		sbarr = makeSubsetRange(32)
	}
	// GenerateCutFont replaces every map and slice of the file before it
	// writes to it, so a shallow copy with its own reader is this
	// document's alone.
	file := font.parsed
	file.fileReader = &fileReader{array: font.parsed.fileReader.array}
	def := fontDefType{
		Tp:        "UTF8",
		Name:      fontkey,
		Desc:      font.desc,
		Up:        font.up,
		Ut:        font.ut,
		Cw:        font.cw,
		utf8File:  &file,
		usedRunes: sbarr,
	}
	if id, ok := font.ids.Load(fontkey); ok {
		def.i = id.(string)
	} else {
		def.i, _ = generateFontID(def)
		font.ids.Store(fontkey, def.i)
	}
	f.fonts[fontkey] = def
}
