-- Every page's OCR verdict: ok, doubtful or failed, with the reasons, and what OCR did to read it.
-- Pages archived before verdicts existed keep NULL ("not judged") until they are OCRed again.
ALTER TABLE pages ADD COLUMN verdict TEXT CHECK (verdict IN ('ok', 'doubtful', 'failed'));
ALTER TABLE pages ADD COLUMN verdict_reasons TEXT NOT NULL DEFAULT '[]';  -- JSON list of reason codes (ocr.verdict.REASONS)
ALTER TABLE pages ADD COLUMN ocr_steps TEXT NOT NULL DEFAULT '{}';        -- JSON: checks measured, steps taken, passes read
CREATE INDEX pages_verdict ON pages (verdict) WHERE verdict IN ('doubtful', 'failed');
