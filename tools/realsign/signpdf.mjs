// Signs a PDF with @signpdf, as a Node signing service does (issue 20).
// plain: @signpdf/placeholder-plain adds its own field in an incremental
// update; pdflib: pdf-lib adds the field and saves the whole file anew.
// usage: node signpdf.mjs plain|pdflib in.pdf out.pdf cert.p12 password name
import { readFileSync, writeFileSync } from 'node:fs';
import sp from '@signpdf/signpdf';
const signpdfDefault = sp.default ?? sp;
import { P12Signer } from '@signpdf/signer-p12';
import { plainAddPlaceholder } from '@signpdf/placeholder-plain';
import { pdflibAddPlaceholder } from '@signpdf/placeholder-pdf-lib';
import { PDFDocument } from 'pdf-lib';

const [mode, inp, out, p12, pass, name] = process.argv.slice(2);
const signer = new P12Signer(readFileSync(p12), { passphrase: pass });
let pdf = readFileSync(inp);
const opts = { reason: 'Bon pour accord', contactInfo: '', name, location: 'France' };
if (mode === 'plain') {
  pdf = plainAddPlaceholder({ pdfBuffer: pdf, ...opts });
} else {
  const doc = await PDFDocument.load(pdf);
  pdflibAddPlaceholder({ pdfDoc: doc, ...opts });
  pdf = Buffer.from(await doc.save({ useObjectStreams: false }));
}
const signed = await signpdfDefault.sign(pdf, signer);
writeFileSync(out, signed);
