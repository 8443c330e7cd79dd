"""shiftmsa.evaluation"""
