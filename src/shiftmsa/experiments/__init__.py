"""shiftmsa.experiments"""
