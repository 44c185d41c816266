namespace Kiln.Api.JsonRpc;

/// <summary>
/// Who closes a reader param (a <see cref="Stream"/> argument decoded from <c>{"Type","Info"}</c>, Lotus lib/rpcenc).
/// </summary>
/// <remarks>
/// <para>By default the server disposes a method's reader params once the method has returned, which suits
/// methods that read their data before answering.</para>
/// <para>An asynchronous method (Lotus LocalWorker.AddPiece and DataCid answer a CallID at once and read in the
/// background) calls <see cref="TakeOwnership"/> before it returns: the server then leaves the reader open when
/// the method succeeds, and the background work must dispose it when it ends (as Lotus Sealer.AddPiece and
/// Sealer.DataCid close their reader). A method that fails, by throwing or through a faulted task, has all its
/// readers disposed by the server, taken over or not: it must not leave work reading them behind.</para>
/// <para>A reader taken over and then forgotten still cannot pin the server: a pushed reader that is not read
/// within <see cref="RpcServerOptions.ReaderIdleTimeout"/> expires.</para>
/// </remarks>
public static class RpcReaderOwnership
{
    /// <summary>
    /// Marks <paramref name="reader"/> as the callee's: the server does not dispose it when the method returns
    /// successfully. A stream that did not come from a reader param (a direct in-process call) is left as is.
    /// </summary>
    /// <returns><paramref name="reader"/>.</returns>
    public static Stream TakeOwnership(Stream reader)
    {
        ArgumentNullException.ThrowIfNull(reader);
        if (reader is IRpcReaderParam param)
        {
            param.HandedOver = true;
        }

        return reader;
    }

    /// <summary>True when <paramref name="reader"/> is a reader param its method took over.</summary>
    public static bool IsTakenOver(Stream reader) => reader is IRpcReaderParam { HandedOver: true };
}
