namespace Kiln.Api.Auth;

/// <summary>A token that does not verify; the message starts <c>JWT Verification failed: </c> as lotus's AuthVerify says.</summary>
public sealed class AuthVerificationException(string reason, Exception? innerException = null)
    : Exception("JWT Verification failed: " + reason, innerException)
{
}
