-- A claim's text is stored sealed (marker, then base64 of nonce, ciphertext and tag), so its stored length is not the
-- 20,000 characters the API allows: 20,000 four-byte code points seal to about 106,700 characters. The API counts the
-- limit on the text itself; the column only bounds what a sealed claim can be.
ALTER TABLE subject_requests DROP CONSTRAINT subject_requests_claim_text_check;
ALTER TABLE subject_requests ADD CONSTRAINT subject_requests_claim_text_check CHECK (length(claim_text) BETWEEN 1 AND 110000);
