"""The workbook's sheets, one module each, every one written from the workbook's Context."""
