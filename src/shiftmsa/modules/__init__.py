"""shiftmsa.modules"""
