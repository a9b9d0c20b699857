-- Every page's OCR verdict: ok, doubtful or failed, with the reasons, and what OCR did to read it.
-- Pages archived before verdicts existed keep NULL ("not judged") until they are OCRed again.
-- verdict_reasons: JSON list of reason codes (ocr.verdict.REASONS), the worst first.
-- ocr_steps: JSON object of the checks measured, the steps taken and the readings made.
ALTER TABLE pages ADD COLUMN verdict TEXT CHECK (verdict IN ('ok', 'doubtful', 'failed'));
ALTER TABLE pages ADD COLUMN verdict_reasons TEXT NOT NULL DEFAULT '[]';
ALTER TABLE pages ADD COLUMN ocr_steps TEXT NOT NULL DEFAULT '{}';
CREATE INDEX pages_verdict ON pages (verdict) WHERE verdict IN ('doubtful', 'failed');
