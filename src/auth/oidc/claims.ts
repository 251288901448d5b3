import type { OidcAccessConfig } from '../../config/types';
import type { JwtClaims } from './jwt';

/** The email address a provider vouches for; one it marks as unverified does not count. */
export function verifiedEmail(claims: JwtClaims): string | undefined {
  if (claims.email_verified === false || claims.email_verified === 'false') return undefined;
  const email = claims.email;
  return typeof email === 'string' && /^[^@\s]+@[^@\s]+$/.test(email) ? email.toLowerCase() : undefined;
}

/** The eduPerson entitlements (AARC/eduTEAMS group and role URNs) in the claims. */
export function entitlements(claims: JwtClaims): string[] {
  const value = claims.eduperson_entitlement;
  if (typeof value === 'string') return [value];
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
}

/** Whether the claims carry anything an access rule or the account profile would use. */
export function hasProfileClaims(claims: JwtClaims): boolean {
  return typeof claims.email === 'string' || claims.eduperson_entitlement !== undefined || typeof claims.preferred_username === 'string';
}

/** Applies a provider's access rules: open, or at least one matching subject, email, domain or entitlement. */
export function accessAllowed(access: OidcAccessConfig, claims: JwtClaims): boolean {
  if (access.open === true) return true;
  const subject = claims.sub as string;
  if (access.subjects?.includes(subject)) return true;
  const email = verifiedEmail(claims);
  if (email) {
    if (access.emails?.some((e) => e.toLowerCase() === email)) return true;
    const domain = email.slice(email.lastIndexOf('@') + 1);
    if (access.emailDomains?.some((d) => d.toLowerCase() === domain)) return true;
  }
  const held = entitlements(claims);
  return access.entitlements?.some((e) => held.includes(e)) ?? false;
}

/** The name a new local account should get: the provider's user name, else the email's local part. */
export function preferredUserName(claims: JwtClaims): string {
  if (typeof claims.preferred_username === 'string' && claims.preferred_username.trim() !== '') {
    return claims.preferred_username.trim();
  }
  const email = verifiedEmail(claims) ?? (typeof claims.email === 'string' ? claims.email : undefined);
  if (email) return email.split('@')[0];
  return 'user';
}
