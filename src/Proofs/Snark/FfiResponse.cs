using System.Text;

namespace Kiln.Proofs.Snark;

/// <summary>
/// A <c>Result_*_t*</c> returned by a filecoin-ffi call, owned until <see cref="Dispose"/> hands it to the
/// matching <c>destroy_*</c> function (use with <c>using</c>). Copy the value out before disposing.
/// </summary>
internal readonly unsafe ref struct FfiResponse<T>
    where T : unmanaged
{
    private readonly FfiResult<T>* _result;
    private readonly delegate* unmanaged<FfiResult<T>*, void> _destroy;
    private readonly string _step;

    /// <exception cref="ProofsException">The call returned NULL.</exception>
    public FfiResponse(FfiResult<T>* result, nint destroy, string step)
    {
        if (result == null)
        {
            throw new ProofsException($"{step} returned no response");
        }

        _result = result;
        _destroy = (delegate* unmanaged<FfiResult<T>*, void>)destroy;
        _step = step;
    }

    /// <summary>The value (zeroed on error, except the faulty sectors of the window-post generators).</summary>
    public ref readonly T Value => ref _result->Value;

    /// <exception cref="ProofsException">The status is not NoError; the message is the library's error_msg.</exception>
    public void ThrowIfFailed()
    {
        if (_result->Status != 0)
        {
            throw new ProofsException(FailureMessage());
        }
    }

    /// <summary>Like <see cref="ThrowIfFailed()"/>, but names the faulty sectors the library reported with the error.</summary>
    /// <exception cref="PoStFaultySectorsException">The status is not NoError and sectors were reported faulty.</exception>
    /// <exception cref="ProofsException">The status is not NoError and no sector was reported.</exception>
    public void ThrowIfFailed(ulong[] faultySectors)
    {
        if (_result->Status != 0 && faultySectors.Length > 0)
        {
            throw new PoStFaultySectorsException($"{FailureMessage()} (faulty sectors: {string.Join(", ", faultySectors)})", faultySectors);
        }

        ThrowIfFailed();
    }

    public void Dispose() => _destroy(_result);

    private string FailureMessage()
    {
        var status = _result->Status switch
        {
            1 => "FCPUnclassifiedError",
            2 => "FCPCallerError",
            3 => "FCPReceiverError",
            var other => $"status {other}",
        };
        var message = Encoding.UTF8.GetString(_result->ErrorMsg.ToByteArray());
        return $"{_step} failed ({status}): {(message.Length > 0 ? message : "no error message")}";
    }
}
