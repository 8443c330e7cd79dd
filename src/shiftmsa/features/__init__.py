"""shiftmsa.features"""
