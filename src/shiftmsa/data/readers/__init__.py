"""shiftmsa.data.readers"""
