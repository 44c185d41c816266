using System.Numerics;

namespace Kiln.Testing.Chain;

/// <summary>A message <c>MpoolPushMessage</c> accepted, after nonce assignment, gas estimation and the max-fee cap.
/// Cid: The signed message's CID text (what StateWaitMsg takes).
/// From: The sender as signed: a key address (an ID sender is resolved, as Lotus does).
/// </summary>
public sealed record PushedMessage(
    string Cid,
    string From,
    string To,
    ulong Nonce,
    BigInteger Value,
    ulong Method,
    byte[] Params,
    long GasLimit,
    BigInteger GasFeeCap,
    BigInteger GasPremium,
    BigInteger? MaxFee);
