using Kiln.Api.Chain;
using Kiln.Api.Types;

namespace Kiln.Miner.Chain;

/// <summary>
/// Messages to the miner actor, sent as Lotus's sealing and window PoSt send theirs (storage/pipeline/utils.go
/// sendMsg, storage/wdpost/wdpost_run.go submitPoStMessage): from the first of the miner's control addresses, else its
/// worker, whose balance covers the value and the max fee (StateMinerInfo, WalletBalance; Lotus storage/ctladdr
/// AddressSelector without configured address lists), pushed with <c>MpoolPushMessage</c> and that max fee.
/// </summary>
public sealed class MinerMessageSender(IChain chain, ulong minerId)
{
    /// <summary>Builds the message to the miner actor from an address that can pay for it, and pushes it; its CID.</summary>
    /// <exception cref="ChainException">No address can pay (naming each address, its balance and what is needed), or the node refused it.</exception>
    public async Task<(Cid Cid, ChainMessage Message)> SendAsync(ulong method, TokenAmount value, TokenAmount maxFee, byte[] parameters, string what, CancellationToken cancellationToken)
    {
        var message = await MessageAsync(method, value, maxFee, parameters, what, cancellationToken).ConfigureAwait(false);
        return (await chain.SendAsync(message, maxFee, cancellationToken).ConfigureAwait(false), message);
    }

    private async Task<ChainMessage> MessageAsync(ulong method, TokenAmount value, TokenAmount maxFee, byte[] parameters, string what, CancellationToken cancellationToken)
    {
        var info = await chain.MinerInfoAsync(minerId, cancellationToken).ConfigureAwait(false);
        var need = value + maxFee;
        var candidates = (info.ControlAddresses ?? []).Append(info.Worker).Distinct().ToList();
        var balances = new List<string>();
        foreach (var address in candidates)
        {
            var balance = await chain.WalletBalanceAsync(address, cancellationToken).ConfigureAwait(false);
            if (balance >= need)
            {
                return new ChainMessage
                {
                    To = Address.FromId(minerId, info.Worker.Network),
                    From = address,
                    Value = value,
                    Method = method,
                    Params = parameters,
                };
            }

            balances.Add($"{address} has {balance}");
        }

        throw new ChainException($"not enough funds to send {what}: it needs {need} (value {value} + max fee {maxFee}) but {string.Join(", ", balances)}", isRetryable: false);
    }
}
