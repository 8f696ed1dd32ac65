// Signs a PDF with Apache PDFBox, as a signing tool built on it does: in an
// existing empty signature field (by name), an incremental update, a CMS
// detached signature made with Bouncy Castle.
// usage: java PdfboxSign in.pdf out.pdf cert.p12 password field
import java.io.*;
import java.security.*;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.*;
import org.apache.pdfbox.pdmodel.PDDocument;
import org.apache.pdfbox.pdmodel.interactive.digitalsignature.*;
import org.apache.pdfbox.pdmodel.interactive.form.*;
import org.apache.pdfbox.cos.COSName;
import org.bouncycastle.cert.jcajce.JcaCertStore;
import org.bouncycastle.cms.*;
import org.bouncycastle.cms.jcajce.JcaSignerInfoGeneratorBuilder;
import org.bouncycastle.operator.jcajce.*;

public class PdfboxSign implements SignatureInterface {
    private final PrivateKey key;
    private final Certificate[] chain;

    PdfboxSign(PrivateKey key, Certificate[] chain) { this.key = key; this.chain = chain; }

    public byte[] sign(InputStream content) throws IOException {
        try {
            CMSSignedDataGenerator gen = new CMSSignedDataGenerator();
            gen.addSignerInfoGenerator(new JcaSignerInfoGeneratorBuilder(
                new JcaDigestCalculatorProviderBuilder().build())
                .build(new JcaContentSignerBuilder("SHA256withRSA").build(key), (X509Certificate) chain[0]));
            gen.addCertificates(new JcaCertStore(Arrays.asList(chain)));
            CMSProcessableByteArray msg = new CMSProcessableByteArray(content.readAllBytes());
            return gen.generate(msg, false).getEncoded();
        } catch (Exception e) {
            throw new IOException(e);
        }
    }

    public static void main(String[] a) throws Exception {
        KeyStore ks = KeyStore.getInstance("PKCS12");
        try (InputStream in = new FileInputStream(a[2])) { ks.load(in, a[3].toCharArray()); }
        String alias = ks.aliases().nextElement();
        PdfboxSign s = new PdfboxSign((PrivateKey) ks.getKey(alias, a[3].toCharArray()), ks.getCertificateChain(alias));
        try (PDDocument doc = PDDocument.load(new File(a[0])); OutputStream out = new FileOutputStream(a[1])) {
            PDSignature sig = new PDSignature();
            sig.setFilter(PDSignature.FILTER_ADOBE_PPKLITE);
            sig.setSubFilter(PDSignature.SUBFILTER_ADBE_PKCS7_DETACHED);
            sig.setName(((X509Certificate) s.chain[0]).getSubjectX500Principal().getName());
            sig.setReason("Bon pour accord");
            sig.setSignDate(Calendar.getInstance());
            PDAcroForm form = doc.getDocumentCatalog().getAcroForm();
            PDField f = form == null ? null : form.getField(a[4]);
            if (f instanceof PDSignatureField) {
                f.getCOSObject().setItem(COSName.V, sig);
            }
            doc.addSignature(sig, s);
            doc.saveIncremental(out);
        }
    }
}
