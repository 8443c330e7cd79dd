"""shiftmsa.data"""
