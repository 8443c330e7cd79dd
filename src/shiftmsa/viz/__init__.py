"""shiftmsa.viz"""
