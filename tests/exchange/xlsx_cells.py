#!/usr/bin/python3
"""xlsx_cells.py FILE: what a reader other than libxlsxwriter (openpyxl) sees in a workbook.

Prints one line per fact, tab-separated, for tests/check_exchange.c to look up:
  sheet NAME
  cell REF TYPE VALUE FORMAT     (TYPE: n number, s text, b empty with a style; every cell)
  freeze REF | paper N | orientation landscape|portrait | fit W H | repeat ROWS
  merged RANGE | outline ROW LEVEL
"""
import sys

import openpyxl


def main(path):
    wb = openpyxl.load_workbook(path)
    for ws in wb.worksheets:
        print("sheet", ws.title, sep="\t")
        for row in ws.iter_rows():
            for c in row:
                if c.value is None:
                    continue
                kind = "n" if isinstance(c.value, (int, float)) else "s"
                print("cell", c.coordinate, kind, repr(c.value) if kind == "n" else c.value,
                      c.number_format, sep="\t")
        print("freeze", ws.freeze_panes, sep="\t")
        print("paper", ws.page_setup.paperSize, sep="\t")
        print("orientation", ws.page_setup.orientation, sep="\t")
        fit_w = ws.page_setup.fitToWidth  # absent means 1 (ECMA-376 CT_PageSetup's default)
        print("fit", 1 if fit_w is None else fit_w, ws.page_setup.fitToHeight,
              ws.sheet_properties.pageSetUpPr.fitToPage, sep="\t")
        print("repeat", ws.print_title_rows, sep="\t")
        for r in ws.merged_cells.ranges:
            print("merged", str(r), sep="\t")
        for n, dim in sorted(ws.row_dimensions.items()):
            if dim.outlineLevel:
                print("outline", n, dim.outlineLevel, sep="\t")


if __name__ == "__main__":
    main(sys.argv[1])
