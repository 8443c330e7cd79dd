"""shiftmsa.text"""
