#!/usr/bin/env python3
"""Reads an export as a spreadsheet user would, independently of Relais:
a CSV as French spreadsheets do (UTF-8 with its byte order mark, ';'), with
Python's csv module; an XLSX with openpyxl (Debian's python3-openpyxl).
Prints {"bom": bool, "sheets": {name: [[cell, ...], ...]}} as JSON; numbers
stay numbers in an XLSX, everything is text in a CSV.
Usage: read_table.py FILE.csv|FILE.xlsx"""
import csv
import json
import sys


def read_csv(path):
    with open(path, 'rb') as f:
        raw = f.read()
    bom = raw.startswith(b'\xef\xbb\xbf')
    text = raw.decode('utf-8-sig')
    rows = list(csv.reader(text.splitlines(keepends=True), delimiter=';', quotechar='"'))
    return {'bom': bom, 'crlf': b'\r\n' in raw, 'sheets': {'csv': rows}}


def read_xlsx(path):
    import openpyxl
    book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    sheets = {}
    for sheet in book.worksheets:
        sheets[sheet.title] = [[cell for cell in row] for row in sheet.iter_rows(values_only=True)]
    return {'bom': False, 'sheets': sheets}


def main():
    path = sys.argv[1]
    out = read_xlsx(path) if path.endswith('.xlsx') else read_csv(path)
    json.dump(out, sys.stdout, ensure_ascii=False, default=str)


if __name__ == '__main__':
    main()
